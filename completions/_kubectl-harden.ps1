
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'kubectl-harden' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'kubectl-harden'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'kubectl-harden' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use, alone (KUBECONFIG is then ignored)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The name of the kubeconfig context to use')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The name of the kubeconfig cluster to use')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'The name of the kubeconfig user to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace scope for this request (default: the context''s namespace, then `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace scope for this request (default: the context''s namespace, then `default`)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Username to impersonate for the operation')
            [CompletionResult]::new('--as-group', '--as-group', [CompletionResultType]::ParameterName, 'Group to impersonate for the operation; repeat it to specify several groups')
            [CompletionResult]::new('--as-uid', '--as-uid', [CompletionResultType]::ParameterName, 'UID to impersonate for the operation')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for a single server request before giving up (`0` = no timeout), e.g. `5s`, `1m`')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'The address and port of the Kubernetes API server')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'The address and port of the Kubernetes API server')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token for authentication to the API server')
            [CompletionResult]::new('--certificate-authority', '--certificate-authority', [CompletionResultType]::ParameterName, 'Path to a PEM file of certificate authorities that sign the server''s certificate')
            [CompletionResult]::new('--client-certificate', '--client-certificate', [CompletionResultType]::ParameterName, 'Path to a client certificate file for TLS')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'Path to a client key file for TLS')
            [CompletionResult]::new('--tls-server-name', '--tls-server-name', [CompletionResultType]::ParameterName, 'Server name to use for certificate validation (default: the server URL''s host)')
            [CompletionResult]::new('--insecure-skip-tls-verify', '--insecure-skip-tls-verify', [CompletionResultType]::ParameterName, 'Do not check the server certificate''s validity: this makes HTTPS connections insecure')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log what happens on stderr: `-v` for progress and API calls, `-vv` for debug detail')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log what happens on stderr: `-v` for progress and API calls, `-vv` for debug detail')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation prompt (needed for destructive steps when stdin is not a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation prompt (needed for destructive steps when stdin is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('audit', 'audit', [CompletionResultType]::ParameterValue, 'Audit manifests against the Pod Security Standards and production practice')
            [CompletionResult]::new('fix', 'fix', [CompletionResultType]::ParameterValue, 'Fix what the audit finds, in manifest files (formatting kept) or live objects')
            [CompletionResult]::new('pss', 'pss', [CompletionResultType]::ParameterValue, 'Per namespace: the strictest Pod Security level its workloads meet; label namespaces')
            [CompletionResult]::new('checks', 'checks', [CompletionResultType]::ParameterValue, 'List every check: id, standard, severity, title (and the fix with -o wide)')
            [CompletionResult]::new('version', 'version', [CompletionResultType]::ParameterValue, 'Print the plugin''s version, and the API server''s version and context when reachable')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kubectl-harden;audit' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'A manifest file or directory (recursive), or `-` for stdin; repeatable')
            [CompletionResult]::new('--filename', '--filename', [CompletionResultType]::ParameterName, 'A manifest file or directory (recursive), or `-` for stdin; repeatable')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'A kustomization directory, built with `kubectl kustomize`')
            [CompletionResult]::new('--kustomize', '--kustomize', [CompletionResultType]::ParameterName, 'A kustomization directory, built with `kubectl kustomize`')
            [CompletionResult]::new('--contexts', '--contexts', [CompletionResultType]::ParameterName, 'Run against these kubeconfig contexts (clusters) concurrently, with a cluster column; comma-separated')
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Without -f/-k: audit only the workloads matching this label selector')
            [CompletionResult]::new('--selector', '--selector', [CompletionResultType]::ParameterName, 'Without -f/-k: audit only the workloads matching this label selector')
            [CompletionResult]::new('--level', '--level', [CompletionResultType]::ParameterName, 'The Pod Security Standards level (`fix` also labels namespaces with it)')
            [CompletionResult]::new('--pss-version', '--pss-version', [CompletionResultType]::ParameterName, 'The Pod Security Standards policy version: `latest` (the default) or `v1.N`. `fix` pins namespace labels to it; with `latest`, a live fix pins the API server''s own version (as `pss --apply-labels` does) and a fix of files the newest this release knows')
            [CompletionResult]::new('--disable', '--disable', [CompletionResultType]::ParameterName, 'Do not run these checks (repeatable or comma-separated; `kubectl harden checks` lists the ids), on top of the config file''s `disable` list')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file (default: the nearest .harden.yaml from the working directory up)')
            [CompletionResult]::new('--fail-on', '--fail-on', [CompletionResultType]::ParameterName, 'Exit 1 when a finding is at least this severe (`none`: never)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: `table`, `wide` (with the fix), `json`/`yaml` (AuditReport), `sarif` (SARIF 2.1.0 for code scanning), `junit` (a test case per object and check)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `table`, `wide` (with the fix), `json`/`yaml` (AuditReport), `sarif` (SARIF 2.1.0 for code scanning), `junit` (a test case per object and check)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use, alone (KUBECONFIG is then ignored)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The name of the kubeconfig context to use')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The name of the kubeconfig cluster to use')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'The name of the kubeconfig user to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace scope for this request (default: the context''s namespace, then `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace scope for this request (default: the context''s namespace, then `default`)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Username to impersonate for the operation')
            [CompletionResult]::new('--as-group', '--as-group', [CompletionResultType]::ParameterName, 'Group to impersonate for the operation; repeat it to specify several groups')
            [CompletionResult]::new('--as-uid', '--as-uid', [CompletionResultType]::ParameterName, 'UID to impersonate for the operation')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for a single server request before giving up (`0` = no timeout), e.g. `5s`, `1m`')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'The address and port of the Kubernetes API server')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'The address and port of the Kubernetes API server')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token for authentication to the API server')
            [CompletionResult]::new('--certificate-authority', '--certificate-authority', [CompletionResultType]::ParameterName, 'Path to a PEM file of certificate authorities that sign the server''s certificate')
            [CompletionResult]::new('--client-certificate', '--client-certificate', [CompletionResultType]::ParameterName, 'Path to a client certificate file for TLS')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'Path to a client key file for TLS')
            [CompletionResult]::new('--tls-server-name', '--tls-server-name', [CompletionResultType]::ParameterName, 'Server name to use for certificate validation (default: the server URL''s host)')
            [CompletionResult]::new('--insecure-skip-tls-verify', '--insecure-skip-tls-verify', [CompletionResultType]::ParameterName, 'Do not check the server certificate''s validity: this makes HTTPS connections insecure')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'Without -f/-k: audit the live objects of every namespace (default: the current namespace)')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'Without -f/-k: audit the live objects of every namespace (default: the current namespace)')
            [CompletionResult]::new('--all-contexts', '--all-contexts', [CompletionResultType]::ParameterName, 'Run against every context of the kubeconfig concurrently')
            [CompletionResult]::new('--no-ignores', '--no-ignores', [CompletionResultType]::ParameterName, 'Disregard `harden.shipshape.dev/ignore` annotations and config exemptions')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log what happens on stderr: `-v` for progress and API calls, `-vv` for debug detail')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log what happens on stderr: `-v` for progress and API calls, `-vv` for debug detail')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation prompt (needed for destructive steps when stdin is not a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation prompt (needed for destructive steps when stdin is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-harden;fix' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'A manifest file or directory (recursive), or `-` for stdin; repeatable. Prints the fixed manifests unless --in-place, --output-dir or --diff says otherwise')
            [CompletionResult]::new('--filename', '--filename', [CompletionResultType]::ParameterName, 'A manifest file or directory (recursive), or `-` for stdin; repeatable. Prints the fixed manifests unless --in-place, --output-dir or --diff says otherwise')
            [CompletionResult]::new('--output-dir', '--output-dir', [CompletionResultType]::ParameterName, 'Write the fixed files under DIR, keeping their paths below the -f directory')
            [CompletionResult]::new('--run-as-user', '--run-as-user', [CompletionResultType]::ParameterName, 'The runAsUser, runAsGroup and fsGroup to set where they are missing or root (1-2147483647: 0 is root, which runAsNonRoot forbids)')
            [CompletionResult]::new('--requests', '--requests', [CompletionResultType]::ParameterName, 'Requests for containers without them')
            [CompletionResult]::new('--limits', '--limits', [CompletionResultType]::ParameterName, 'Limits for containers without them (raised to the request where that is higher)')
            [CompletionResult]::new('--level', '--level', [CompletionResultType]::ParameterName, 'The Pod Security Standards level (`fix` also labels namespaces with it)')
            [CompletionResult]::new('--pss-version', '--pss-version', [CompletionResultType]::ParameterName, 'The Pod Security Standards policy version: `latest` (the default) or `v1.N`. `fix` pins namespace labels to it; with `latest`, a live fix pins the API server''s own version (as `pss --apply-labels` does) and a fix of files the newest this release knows')
            [CompletionResult]::new('--disable', '--disable', [CompletionResultType]::ParameterName, 'Do not run these checks (repeatable or comma-separated; `kubectl harden checks` lists the ids), on top of the config file''s `disable` list')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file (default: the nearest .harden.yaml from the working directory up)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Only show what would change: `client` sends nothing, `server` lets the API server validate and admit the change without persisting it')
            [CompletionResult]::new('--emit-kustomize', '--emit-kustomize', [CompletionResultType]::ParameterName, 'Write the live fixes as patches and a kustomize Component (kustomization.yaml) in DIR')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use, alone (KUBECONFIG is then ignored)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The name of the kubeconfig context to use')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The name of the kubeconfig cluster to use')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'The name of the kubeconfig user to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace scope for this request (default: the context''s namespace, then `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace scope for this request (default: the context''s namespace, then `default`)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Username to impersonate for the operation')
            [CompletionResult]::new('--as-group', '--as-group', [CompletionResultType]::ParameterName, 'Group to impersonate for the operation; repeat it to specify several groups')
            [CompletionResult]::new('--as-uid', '--as-uid', [CompletionResultType]::ParameterName, 'UID to impersonate for the operation')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for a single server request before giving up (`0` = no timeout), e.g. `5s`, `1m`')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'The address and port of the Kubernetes API server')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'The address and port of the Kubernetes API server')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token for authentication to the API server')
            [CompletionResult]::new('--certificate-authority', '--certificate-authority', [CompletionResultType]::ParameterName, 'Path to a PEM file of certificate authorities that sign the server''s certificate')
            [CompletionResult]::new('--client-certificate', '--client-certificate', [CompletionResultType]::ParameterName, 'Path to a client certificate file for TLS')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'Path to a client key file for TLS')
            [CompletionResult]::new('--tls-server-name', '--tls-server-name', [CompletionResultType]::ParameterName, 'Server name to use for certificate validation (default: the server URL''s host)')
            [CompletionResult]::new('--insecure-skip-tls-verify', '--insecure-skip-tls-verify', [CompletionResultType]::ParameterName, 'Do not check the server certificate''s validity: this makes HTTPS connections insecure')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Fix every workload of the namespace (-n), and the namespace''s labels')
            [CompletionResult]::new('--in-place', '--in-place', [CompletionResultType]::ParameterName, 'Rewrite the files (atomically; only files that change are touched)')
            [CompletionResult]::new('--diff', '--diff', [CompletionResultType]::ParameterName, 'Print a unified diff of each changed file instead; exit 1 when anything would change')
            [CompletionResult]::new('--add-missing', '--add-missing', [CompletionResultType]::ParameterName, 'Also write a PodDisruptionBudget (maxUnavailable: 1) for each multi-replica workload without one, and a default-deny NetworkPolicy (DNS egress allowed) per namespace')
            [CompletionResult]::new('--override-explicit', '--override-explicit', [CompletionResultType]::ParameterName, 'Also change values the author wrote explicitly (`readOnlyRootFilesystem: false`, `automountServiceAccountToken: true`, `runAsUser: 0`, a `-version: latest` label…). By default an explicit value is a decision: it is left and listed among the findings that need a person. Live, such fields usually belong to another field manager (`kubectl apply`), so this also needs --force-conflicts')
            [CompletionResult]::new('--tmp-volume', '--tmp-volume', [CompletionResultType]::ParameterName, 'Mount an emptyDir at /tmp in containers made read-only')
            [CompletionResult]::new('--no-ignores', '--no-ignores', [CompletionResultType]::ParameterName, 'Disregard `harden.shipshape.dev/ignore` annotations and config exemptions')
            [CompletionResult]::new('--force-conflicts', '--force-conflicts', [CompletionResultType]::ParameterName, 'Take over fields another field manager owns (`kubectl apply`, `kubectl edit`, another tool): without it, applying such a field is refused with a 409 Conflict naming each one')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log what happens on stderr: `-v` for progress and API calls, `-vv` for debug detail')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log what happens on stderr: `-v` for progress and API calls, `-vv` for debug detail')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation prompt (needed for destructive steps when stdin is not a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation prompt (needed for destructive steps when stdin is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-harden;pss' {
            [CompletionResult]::new('--level', '--level', [CompletionResultType]::ParameterName, 'The level to check against and to label with')
            [CompletionResult]::new('--pss-version', '--pss-version', [CompletionResultType]::ParameterName, 'The policy version: `v1.N`, or `latest`, which labels with the API server''s version')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Only show what would change: `client` sends nothing, `server` lets the API server validate and admit the change without persisting it')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: `table` for people, `wide` for more columns, `json`/`yaml` for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `table` for people, `wide` for more columns, `json`/`yaml` for scripts')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use, alone (KUBECONFIG is then ignored)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The name of the kubeconfig context to use')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The name of the kubeconfig cluster to use')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'The name of the kubeconfig user to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace scope for this request (default: the context''s namespace, then `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace scope for this request (default: the context''s namespace, then `default`)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Username to impersonate for the operation')
            [CompletionResult]::new('--as-group', '--as-group', [CompletionResultType]::ParameterName, 'Group to impersonate for the operation; repeat it to specify several groups')
            [CompletionResult]::new('--as-uid', '--as-uid', [CompletionResultType]::ParameterName, 'UID to impersonate for the operation')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for a single server request before giving up (`0` = no timeout), e.g. `5s`, `1m`')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'The address and port of the Kubernetes API server')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'The address and port of the Kubernetes API server')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token for authentication to the API server')
            [CompletionResult]::new('--certificate-authority', '--certificate-authority', [CompletionResultType]::ParameterName, 'Path to a PEM file of certificate authorities that sign the server''s certificate')
            [CompletionResult]::new('--client-certificate', '--client-certificate', [CompletionResultType]::ParameterName, 'Path to a client certificate file for TLS')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'Path to a client key file for TLS')
            [CompletionResult]::new('--tls-server-name', '--tls-server-name', [CompletionResultType]::ParameterName, 'Server name to use for certificate validation (default: the server URL''s host)')
            [CompletionResult]::new('--insecure-skip-tls-verify', '--insecure-skip-tls-verify', [CompletionResultType]::ParameterName, 'Do not check the server certificate''s validity: this makes HTTPS connections insecure')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'Every namespace (default: the current namespace)')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'Every namespace (default: the current namespace)')
            [CompletionResult]::new('--apply-labels', '--apply-labels', [CompletionResultType]::ParameterName, 'Set pod-security.kubernetes.io/enforce, audit and warn (and their -version labels) on each namespace; asks first unless --yes. Namespaces whose workloads the level would reject are refused unless --force')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Label namespaces even though enforcing the level would reject some of their workloads')
            [CompletionResult]::new('--force-conflicts', '--force-conflicts', [CompletionResultType]::ParameterName, 'Take over fields another field manager owns (`kubectl apply`, `kubectl edit`, another tool): without it, applying such a field is refused with a 409 Conflict naming each one')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log what happens on stderr: `-v` for progress and API calls, `-vv` for debug detail')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log what happens on stderr: `-v` for progress and API calls, `-vv` for debug detail')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation prompt (needed for destructive steps when stdin is not a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation prompt (needed for destructive steps when stdin is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-harden;checks' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: `table` for people, `wide` for more columns, `json`/`yaml` for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `table` for people, `wide` for more columns, `json`/`yaml` for scripts')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use, alone (KUBECONFIG is then ignored)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The name of the kubeconfig context to use')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The name of the kubeconfig cluster to use')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'The name of the kubeconfig user to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace scope for this request (default: the context''s namespace, then `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace scope for this request (default: the context''s namespace, then `default`)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Username to impersonate for the operation')
            [CompletionResult]::new('--as-group', '--as-group', [CompletionResultType]::ParameterName, 'Group to impersonate for the operation; repeat it to specify several groups')
            [CompletionResult]::new('--as-uid', '--as-uid', [CompletionResultType]::ParameterName, 'UID to impersonate for the operation')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for a single server request before giving up (`0` = no timeout), e.g. `5s`, `1m`')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'The address and port of the Kubernetes API server')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'The address and port of the Kubernetes API server')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token for authentication to the API server')
            [CompletionResult]::new('--certificate-authority', '--certificate-authority', [CompletionResultType]::ParameterName, 'Path to a PEM file of certificate authorities that sign the server''s certificate')
            [CompletionResult]::new('--client-certificate', '--client-certificate', [CompletionResultType]::ParameterName, 'Path to a client certificate file for TLS')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'Path to a client key file for TLS')
            [CompletionResult]::new('--tls-server-name', '--tls-server-name', [CompletionResultType]::ParameterName, 'Server name to use for certificate validation (default: the server URL''s host)')
            [CompletionResult]::new('--insecure-skip-tls-verify', '--insecure-skip-tls-verify', [CompletionResultType]::ParameterName, 'Do not check the server certificate''s validity: this makes HTTPS connections insecure')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log what happens on stderr: `-v` for progress and API calls, `-vv` for debug detail')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log what happens on stderr: `-v` for progress and API calls, `-vv` for debug detail')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation prompt (needed for destructive steps when stdin is not a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation prompt (needed for destructive steps when stdin is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-harden;version' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: `table` for people, `wide` for more columns, `json`/`yaml` for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `table` for people, `wide` for more columns, `json`/`yaml` for scripts')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use, alone (KUBECONFIG is then ignored)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The name of the kubeconfig context to use')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The name of the kubeconfig cluster to use')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'The name of the kubeconfig user to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace scope for this request (default: the context''s namespace, then `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace scope for this request (default: the context''s namespace, then `default`)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Username to impersonate for the operation')
            [CompletionResult]::new('--as-group', '--as-group', [CompletionResultType]::ParameterName, 'Group to impersonate for the operation; repeat it to specify several groups')
            [CompletionResult]::new('--as-uid', '--as-uid', [CompletionResultType]::ParameterName, 'UID to impersonate for the operation')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for a single server request before giving up (`0` = no timeout), e.g. `5s`, `1m`')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'The address and port of the Kubernetes API server')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'The address and port of the Kubernetes API server')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token for authentication to the API server')
            [CompletionResult]::new('--certificate-authority', '--certificate-authority', [CompletionResultType]::ParameterName, 'Path to a PEM file of certificate authorities that sign the server''s certificate')
            [CompletionResult]::new('--client-certificate', '--client-certificate', [CompletionResultType]::ParameterName, 'Path to a client certificate file for TLS')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'Path to a client key file for TLS')
            [CompletionResult]::new('--tls-server-name', '--tls-server-name', [CompletionResultType]::ParameterName, 'Server name to use for certificate validation (default: the server URL''s host)')
            [CompletionResult]::new('--insecure-skip-tls-verify', '--insecure-skip-tls-verify', [CompletionResultType]::ParameterName, 'Do not check the server certificate''s validity: this makes HTTPS connections insecure')
            [CompletionResult]::new('--client', '--client', [CompletionResultType]::ParameterName, 'Print only the client version; do not contact the cluster')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log what happens on stderr: `-v` for progress and API calls, `-vv` for debug detail')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log what happens on stderr: `-v` for progress and API calls, `-vv` for debug detail')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation prompt (needed for destructive steps when stdin is not a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation prompt (needed for destructive steps when stdin is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-harden;help' {
            [CompletionResult]::new('audit', 'audit', [CompletionResultType]::ParameterValue, 'Audit manifests against the Pod Security Standards and production practice')
            [CompletionResult]::new('fix', 'fix', [CompletionResultType]::ParameterValue, 'Fix what the audit finds, in manifest files (formatting kept) or live objects')
            [CompletionResult]::new('pss', 'pss', [CompletionResultType]::ParameterValue, 'Per namespace: the strictest Pod Security level its workloads meet; label namespaces')
            [CompletionResult]::new('checks', 'checks', [CompletionResultType]::ParameterValue, 'List every check: id, standard, severity, title (and the fix with -o wide)')
            [CompletionResult]::new('version', 'version', [CompletionResultType]::ParameterValue, 'Print the plugin''s version, and the API server''s version and context when reachable')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kubectl-harden;help;audit' {
            break
        }
        'kubectl-harden;help;fix' {
            break
        }
        'kubectl-harden;help;pss' {
            break
        }
        'kubectl-harden;help;checks' {
            break
        }
        'kubectl-harden;help;version' {
            break
        }
        'kubectl-harden;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
