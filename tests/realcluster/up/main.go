// Command up starts a real Kubernetes control plane on loopback for the test suite and the
// demo: etcd, kube-apiserver, kube-controller-manager, kube-scheduler and KWOK (fake kubelets),
// all upstream programs from the multi-call `kube` binary built by up.sh. It has the interface
// of `simcluster serve`: it writes a kubeconfig, applies the seed directories, prints
// `ready <url>` on stdout and serves until SIGTERM or SIGINT, when it stops every process it
// started and removes its state.
//
// It uses only the standard library, so it builds in seconds; the upstream programs are in
// the `kube` binary.
package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

type seeds []string

func (s *seeds) String() string     { return strings.Join(*s, ",") }
func (s *seeds) Set(v string) error { *s = append(*s, v); return nil }

func main() {
	var (
		kubeconfig = flag.String("kubeconfig", "", "where to write the kubeconfig (context `realcluster`, namespace `default`)")
		kube       = flag.String("kube", "", "the multi-call binary holding the upstream programs (up.sh builds it)")
		stages     = flag.String("kwok-config", "", "KWOK's configuration: its node and pod stages (up.sh assembles it from the kwok module)")
		nodes      = flag.Int("nodes", 3, "how many fake nodes KWOK manages")
		logs       = flag.String("logs", "", "keep the components' logs in this directory (default: removed with the state)")
		egress     = flag.String("egress-socket", "", "the API server reaches pods, services and kubelets (proxy, logs) through an HTTP CONNECT proxy on this Unix socket, as through Konnectivity (`simcluster metrics --egress-socket` serves KWOK's pods and nodes there)")
		seed       seeds
	)
	flag.Var(&seed, "seed", "apply every manifest under this directory once the cluster is ready (repeatable)")
	flag.Parse()
	if *kubeconfig == "" || *kube == "" || *stages == "" {
		fmt.Fprintln(os.Stderr, "up: --kubeconfig, --kube and --kwok-config are required")
		os.Exit(2)
	}
	c := &cluster{kube: *kube, kwokConfig: *stages, nodes: *nodes, logDir: *logs, egressSocket: *egress}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	err := c.up(ctx, *kubeconfig, seed)
	if err == nil {
		fmt.Printf("ready %s\n", c.url)
		<-ctx.Done()
	}
	c.down()
	if err != nil && ctx.Err() == nil {
		fmt.Fprintf(os.Stderr, "up: %v\n", err)
		os.Exit(1)
	}
}

type cluster struct {
	kube, kwokConfig, logDir string
	egressSocket             string
	nodes                    int
	state                    string
	url, token               string
	caPEM                    []byte
	procs                    []*proc
	client                   *http.Client
}

type proc struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
}

func (c *cluster) up(ctx context.Context, kubeconfig string, seeds []string) error {
	state, err := os.MkdirTemp("", "realcluster-")
	if err != nil {
		return err
	}
	c.state = state
	if c.logDir == "" {
		c.logDir = filepath.Join(state, "logs")
	}
	if err := os.MkdirAll(c.logDir, 0o755); err != nil {
		return err
	}
	if err := c.credentials(); err != nil {
		return fmt.Errorf("credentials: %w", err)
	}
	ports, err := freePorts(3)
	if err != nil {
		return err
	}
	etcdURL := fmt.Sprintf("http://127.0.0.1:%d", ports[0])
	peerURL := fmt.Sprintf("http://127.0.0.1:%d", ports[1])
	c.url = fmt.Sprintf("https://127.0.0.1:%d", ports[2])

	if err := c.start("etcd",
		"--name=realcluster",
		"--data-dir="+filepath.Join(state, "etcd"),
		"--listen-client-urls="+etcdURL, "--advertise-client-urls="+etcdURL,
		"--listen-peer-urls="+peerURL, "--initial-advertise-peer-urls="+peerURL,
		"--initial-cluster=realcluster="+peerURL,
		"--unsafe-no-fsync", "--log-level=warn",
	); err != nil {
		return err
	}
	if err := c.waitFor(ctx, "etcd", 60*time.Second, func() bool {
		return get(http.DefaultClient, etcdURL+"/health", "") == nil
	}); err != nil {
		return err
	}

	f := func(name string) string { return filepath.Join(state, name) }
	var egressFlags []string
	if c.egressSocket != "" {
		config := fmt.Sprintf(`apiVersion: apiserver.k8s.io/v1beta1
kind: EgressSelectorConfiguration
egressSelections:
- name: cluster
  connection:
    proxyProtocol: HTTPConnect
    transport:
      uds:
        udsName: %q
`, c.egressSocket)
		if err := os.WriteFile(f("egress.yaml"), []byte(config), 0o600); err != nil {
			return err
		}
		egressFlags = append(egressFlags, "--egress-selector-config-file="+f("egress.yaml"))
	}
	if err := c.start("kube-apiserver", append([]string{
		"--etcd-servers=" + etcdURL,
		// The address the `kubernetes` Service's endpoints name; loopback is refused there.
		"--bind-address=127.0.0.1", "--advertise-address=192.0.2.1",
		fmt.Sprintf("--secure-port=%d", ports[2]),
		"--cert-dir=" + f("apiserver"),
		"--tls-cert-file=" + f("server.crt"), "--tls-private-key-file=" + f("server.key"),
		"--client-ca-file=" + f("ca.crt"),
		"--token-auth-file=" + f("tokens.csv"),
		"--authorization-mode=RBAC",
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file=" + f("sa.pub"),
		"--service-account-signing-key-file=" + f("sa.key"),
		"--service-cluster-ip-range=10.96.0.0/16",
		"--allow-privileged=true",
		// The defaults already include these three; naming them keeps them on whatever the
		// release's defaults become.
		"--enable-admission-plugins=LimitRanger,ResourceQuota,PodSecurity",
		"--profiling=false",
	}, egressFlags...)...,
	); err != nil {
		return err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(c.caPEM)
	c.client = &http.Client{
		Timeout:   5 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
	}
	if err := c.waitFor(ctx, "kube-apiserver", 120*time.Second, func() bool {
		return get(c.client, c.url+"/readyz", c.token) == nil
	}); err != nil {
		return err
	}

	admin := f("admin.kubeconfig")
	for _, path := range []string{admin, kubeconfig} {
		if err := c.writeKubeconfig(path); err != nil {
			return err
		}
	}
	if err := c.start("kube-controller-manager",
		"--kubeconfig="+admin,
		"--authentication-kubeconfig="+admin, "--authorization-kubeconfig="+admin,
		"--bind-address=127.0.0.1", "--secure-port=0",
		"--leader-elect=false",
		"--service-account-private-key-file="+f("sa.key"),
		"--root-ca-file="+f("ca.crt"),
		"--use-service-account-credentials=true",
		"--cluster-cidr=10.244.0.0/16", "--allocate-node-cidrs=false",
		// Namespaces and garbage collection at test speed.
		"--concurrent-namespace-syncs=10", "--concurrent-gc-syncs=20",
		"--profiling=false",
	); err != nil {
		return err
	}
	if err := c.start("kube-scheduler",
		"--kubeconfig="+admin,
		"--authentication-kubeconfig="+admin, "--authorization-kubeconfig="+admin,
		"--bind-address=127.0.0.1", "--secure-port=0",
		"--leader-elect=false", "--profiling=false",
	); err != nil {
		return err
	}
	if err := c.start("kwok",
		"--kubeconfig="+admin,
		"--config="+c.kwokConfig,
		"--manage-all-nodes=true",
		"--server-address=127.0.0.1:0",
		"--node-ip=10.0.0.1",
		"--cidr=10.244.0.0/16",
		// Keep each node's Lease renewed, as a kubelet does: without it the node lifecycle
		// controller sees no heartbeat (the heartbeat-with-lease stage updates node status only
		// every ten minutes), marks the nodes Unknown every grace period and every pod on them
		// NotReady, and KWOK never makes those pods Ready again.
		"--node-lease-duration-seconds=40",
	); err != nil {
		return err
	}
	for i := 0; i < c.nodes; i++ {
		if err := c.createNode(fmt.Sprintf("kwok-node-%d", i)); err != nil {
			return err
		}
	}
	// Ready means what a test needs: nodes Ready, and the default ServiceAccount (pods cannot
	// be created in a namespace before the serviceaccount controller makes it).
	if err := c.waitFor(ctx, "nodes and the default ServiceAccount", 120*time.Second, func() bool {
		body, err := c.getBody("/api/v1/nodes")
		if err != nil || bytes.Count(body, []byte(`"type":"Ready","status":"True"`)) < c.nodes {
			return false
		}
		_, err = c.getBody("/api/v1/namespaces/default/serviceaccounts/default")
		return err == nil
	}); err != nil {
		return err
	}
	for _, dir := range seeds {
		if err := c.seed(ctx, kubeconfig, dir); err != nil {
			return err
		}
	}
	return nil
}

// credentials writes a CA, the API server's serving certificate (for 127.0.0.1 and the
// in-cluster names), the ServiceAccount signing key pair and a static admin token.
func (c *cluster) credentials() error {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	now := time.Now()
	caTemplate := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "realcluster-ca"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(7 * 24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTemplate, caTemplate, &caKey.PublicKey, caKey)
	if err != nil {
		return err
	}
	ca, _ := x509.ParseCertificate(caDER)
	serverKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	serverDER, err := x509.CreateCertificate(rand.Reader, &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "kube-apiserver"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(7 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("10.96.0.1")},
	}, ca, &serverKey.PublicKey, caKey)
	if err != nil {
		return err
	}
	saKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	saPub, err := x509.MarshalPKIXPublicKey(&saKey.PublicKey)
	if err != nil {
		return err
	}
	token := make([]byte, 24)
	if _, err := rand.Read(token); err != nil {
		return err
	}
	c.token = hex.EncodeToString(token)
	c.caPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	files := map[string][]byte{
		"ca.crt":     c.caPEM,
		"server.crt": pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: serverDER}),
		"server.key": ecPEM(serverKey),
		"sa.key":     ecPEM(saKey),
		"sa.pub":     pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: saPub}),
		"tokens.csv": []byte(c.token + `,realcluster-admin,realcluster-admin,"system:masters"` + "\n"),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(c.state, name), data, 0o600); err != nil {
			return err
		}
	}
	return nil
}

func ecPEM(key *ecdsa.PrivateKey) []byte {
	der, _ := x509.MarshalECPrivateKey(key)
	return pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})
}

func (c *cluster) writeKubeconfig(path string) error {
	text := fmt.Sprintf(`apiVersion: v1
kind: Config
current-context: realcluster
clusters:
- name: realcluster
  cluster:
    server: %s
    certificate-authority-data: %s
users:
- name: realcluster-admin
  user:
    token: %s
contexts:
- name: realcluster
  context:
    cluster: realcluster
    user: realcluster-admin
    namespace: default
`, c.url, base64.StdEncoding.EncodeToString(c.caPEM), c.token)
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	return os.WriteFile(path, []byte(text), 0o600)
}

// start runs one upstream program from the multi-call binary, its output in its log file.
// The child gets SIGKILL if this process dies, so nothing outlives a killed `up`.
func (c *cluster) start(name string, args ...string) error {
	logPath := filepath.Join(c.logDir, name+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return err
	}
	cmd := exec.Command(c.kube, append([]string{name}, args...)...)
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.Dir = c.state
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return fmt.Errorf("starting %s: %w", name, err)
	}
	p := &proc{name: name, cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		logFile.Close()
		close(p.done)
	}()
	c.procs = append(c.procs, p)
	return nil
}

// waitFor polls ready until it holds, failing early when a component exits.
func (c *cluster) waitFor(ctx context.Context, what string, timeout time.Duration, ready func() bool) error {
	deadline := time.Now().Add(timeout)
	for {
		if ready() {
			return nil
		}
		for _, p := range c.procs {
			select {
			case <-p.done:
				return fmt.Errorf("%s exited (%s) while waiting for %s; its log %s ends:\n%s",
					p.name, p.cmd.ProcessState, what, p.log, tail(p.log, 30))
			default:
			}
		}
		if time.Now().After(deadline) {
			var logs []string
			for _, p := range c.procs {
				logs = append(logs, fmt.Sprintf("--- %s (%s):\n%s", p.name, p.log, tail(p.log, 15)))
			}
			return fmt.Errorf("%s not ready within %s\n%s", what, timeout, strings.Join(logs, "\n"))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// down stops the components in reverse order of start: SIGTERM, then SIGKILL after 10 s.
func (c *cluster) down() {
	for i := len(c.procs) - 1; i >= 0; i-- {
		p := c.procs[i]
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
			<-p.done
		}
	}
	if c.state != "" {
		_ = os.RemoveAll(c.state)
	}
}

func (c *cluster) createNode(name string) error {
	node := fmt.Sprintf(`{"apiVersion":"v1","kind":"Node","metadata":{"name":%q,
"annotations":{"node.alpha.kubernetes.io/ttl":"0","kwok.x-k8s.io/node":"fake"},
"labels":{"kubernetes.io/arch":"amd64","kubernetes.io/os":"linux","kubernetes.io/hostname":%q,"type":"kwok"}},
"spec":{},
"status":{"allocatable":{"cpu":"32","memory":"256Gi","pods":"110","ephemeral-storage":"100Gi"},
"capacity":{"cpu":"32","memory":"256Gi","pods":"110","ephemeral-storage":"100Gi"},
"nodeInfo":{"architecture":"amd64","operatingSystem":"linux","kubeletVersion":"kwok","kubeProxyVersion":"kwok"}}}`, name, name)
	req, _ := http.NewRequest(http.MethodPost, c.url+"/api/v1/nodes", strings.NewReader(node))
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.client.Do(req)
	if err != nil {
		return fmt.Errorf("creating node %s: %w", name, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		body, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("creating node %s: %s: %s", name, resp.Status, body)
	}
	return nil
}

// seed applies a directory with the real kubectl, as simcluster's --seed loads it: every
// .yaml, .yml and .json file under it, recursively, without hidden entries and kustomization
// files. Objects whose kind is not served yet (custom resources whose CRD is in the same seed)
// fail the first pass; passes repeat until everything applies.
func (c *cluster) seed(ctx context.Context, kubeconfig, dir string) error {
	args := []string{"kubectl", "--kubeconfig=" + kubeconfig, "apply", "--server-side",
		"--force-conflicts", "--field-manager=realcluster-seed"}
	files := 0
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if path != dir && strings.HasPrefix(name, ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() || name == "kustomization.yaml" || name == "kustomization.yml" {
			return nil
		}
		switch filepath.Ext(name) {
		case ".yaml", ".yml", ".json":
			args = append(args, "-f", path)
			files++
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("seed %s: %w", dir, err)
	}
	if files == 0 {
		return nil
	}
	var last []byte
	for attempt := 0; attempt < 20; attempt++ {
		out, err := exec.CommandContext(ctx, c.kube, args...).CombinedOutput()
		if err == nil {
			return nil
		}
		last = out
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
	return fmt.Errorf("seeding %s failed:\n%s", dir, last)
}

func (c *cluster) getBody(path string) ([]byte, error) {
	req, _ := http.NewRequest(http.MethodGet, c.url+path, nil)
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return nil, errors.New(resp.Status)
	}
	return body, nil
}

func get(client *http.Client, url, token string) error {
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return errors.New(resp.Status)
	}
	return nil
}

func freePorts(n int) ([]int, error) {
	var ports []int
	var listeners []net.Listener
	defer func() {
		for _, l := range listeners {
			l.Close()
		}
	}()
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		listeners = append(listeners, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func tail(path string, lines int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	all := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return strings.Join(all, "\n")
}
