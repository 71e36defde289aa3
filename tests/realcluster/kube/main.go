// Command kube is a multi-call binary holding the upstream Kubernetes programs the
// real-cluster test suite runs: kube-apiserver, kube-controller-manager, kube-scheduler,
// kubectl, etcd and kwok. Nothing here re-implements them: each mode calls the upstream
// program's own command constructor, exactly as that program's main() does. One binary
// links once instead of six times, which halves the first build on a two-core machine.
//
// The mode is the first argument when it names one (`kubectl kube-apiserver --etcd-servers=...`;
// kubectl has no such commands), else the name the binary was called by. up.sh caches the
// binary as `kubectl`, so that kubectl's plugins, which run the kubectl in KUBECTL_PATH (the
// resolved executable), get kubectl.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"
	"go.etcd.io/etcd/server/v3/etcdmain"
	_ "k8s.io/client-go/plugin/pkg/client/auth"
	"k8s.io/component-base/cli"
	kubectl "k8s.io/kubectl/pkg/cmd"
	"k8s.io/kubectl/pkg/cmd/util"
	apiserver "k8s.io/kubernetes/cmd/kube-apiserver/app"
	controllermanager "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	scheduler "k8s.io/kubernetes/cmd/kube-scheduler/app"
	"sigs.k8s.io/kwok/pkg/config"
	kwok "sigs.k8s.io/kwok/pkg/kwok/cmd"
	"sigs.k8s.io/kwok/pkg/log"
	"sigs.k8s.io/kwok/pkg/utils/signals"
)

var modes = []string{"kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl", "etcd", "kwok"}

func main() {
	mode := filepath.Base(os.Args[0])
	args := os.Args
	if len(os.Args) > 1 && known(os.Args[1]) {
		mode = os.Args[1]
		args = os.Args[1:]
	}
	os.Args = args
	switch mode {
	case "kube-apiserver":
		os.Exit(cli.Run(apiserver.NewAPIServerCommand()))
	case "kube-controller-manager":
		os.Exit(cli.Run(controllermanager.NewControllerManagerCommand()))
	case "kube-scheduler":
		os.Exit(cli.Run(scheduler.NewSchedulerCommand()))
	case "kubectl":
		command := kubectl.NewDefaultKubectlCommand()
		if err := cli.RunNoErrOutput(command); err != nil {
			util.CheckErr(err)
		}
	case "etcd":
		etcdmain.Main(os.Args)
	case "kwok":
		runKwok()
	default:
		fmt.Fprintf(os.Stderr, "usage: kube {%s} [flags]\n", strings.Join(modes, "|"))
		os.Exit(2)
	}
}

func known(mode string) bool {
	for _, m := range modes {
		if m == mode {
			return true
		}
	}
	return false
}

// runKwok is sigs.k8s.io/kwok/cmd/kwok's main.
func runKwok() {
	// Packages of the other programs (component-base's verflag) register global flags, such as
	// a --version of their own type, that cobra would merge into kwok's command, where they
	// clash with kwok's --version. The kwok binary has none of them: start from an empty set.
	pflag.CommandLine = pflag.NewFlagSet(os.Args[0], pflag.ExitOnError)
	flagset := pflag.NewFlagSet("global", pflag.ContinueOnError)
	flagset.ParseErrorsAllowlist.UnknownFlags = true
	flagset.Usage = func() {}

	ctx := signals.SetupSignalContext()
	ctx, logger := log.InitFlags(ctx, flagset)

	ctx, err := config.InitFlags(ctx, flagset)
	if err != nil {
		_, _ = os.Stderr.Write([]byte(flagset.FlagUsages()))
		logger.Error("Init config flags", "err", err)
		os.Exit(1)
	}

	command := kwok.NewCommand(ctx)
	command.PersistentFlags().AddFlagSet(flagset)
	if err := command.ExecuteContext(ctx); err != nil {
		logger.Error("Execute exit", "err", err)
		os.Exit(1)
	}
}
