
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'kubectl-drtest' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'kubectl-drtest'
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
        'kubectl-drtest' {
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
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'A disaster-recovery drill: restore the latest backup into a sandbox, wait, smoke-test, report RPO and RTO, clean up')
            [CompletionResult]::new('backups', 'backups', [CompletionResultType]::ParameterValue, 'Velero backups: phase, age, expiry, storage location, item counts, errors and warnings')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Per protected namespace: the last successful backup and its age, Schedules, location health')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'Past drills from their recorded reports: result, RPO and RTO, and the trend')
            [CompletionResult]::new('cleanup', 'cleanup', [CompletionResultType]::ParameterValue, 'Delete what killed drills left behind: labelled sandbox namespaces and Restores, once expired or older than --older-than')
            [CompletionResult]::new('schedule', 'schedule', [CompletionResultType]::ParameterValue, 'The in-cluster drill: a CronJob running `kubectl-drtest run` under least-privilege RBAC, and optionally the Velero Schedule that makes its backups')
            [CompletionResult]::new('version', 'version', [CompletionResultType]::ParameterValue, 'Print the plugin''s version, and the API server''s version and context when reachable')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kubectl-drtest;run' {
            [CompletionResult]::new('--for', '--for', [CompletionResultType]::ParameterName, 'A namespace to recover (repeatable). kubectl''s own `-n/--namespace` flag names one namespace only, so the drill''s are given with `--for`')
            [CompletionResult]::new('--velero-namespace', '--velero-namespace', [CompletionResultType]::ParameterName, 'Where Velero runs')
            [CompletionResult]::new('--smoke-job', '--smoke-job', [CompletionResultType]::ParameterName, 'A smoke-test Job manifest, run in the (first) sandbox namespace once the restore is ready; its namespace is replaced by the sandbox''s')
            [CompletionResult]::new('--smoke-image', '--smoke-image', [CompletionResultType]::ParameterName, 'A smoke-test Job''s image, run in the sandbox after the restore is ready')
            [CompletionResult]::new('--smoke-command', '--smoke-command', [CompletionResultType]::ParameterName, 'The smoke test''s shell command')
            [CompletionResult]::new('--http-check', '--http-check', [CompletionResultType]::ParameterName, 'An HTTP check through the API server''s service proxy, after the smoke Job (repeatable): [NAMESPACE/]SERVICE:PORT/PATH[=STATUS], STATUS 200 by default; NAMESPACE is the backed-up namespace, mapped to its sandbox')
            [CompletionResult]::new('--max-backup-age', '--max-backup-age', [CompletionResultType]::ParameterName, 'The RPO: the backup must be younger')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long each wait may take')
            [CompletionResult]::new('--history-namespace', '--history-namespace', [CompletionResultType]::ParameterName, 'Where each drill''s report is recorded, as a ConfigMap (default: the Velero namespace)')
            [CompletionResult]::new('--history-limit', '--history-limit', [CompletionResultType]::ParameterName, 'How many recorded reports to keep; 0 records nothing')
            [CompletionResult]::new('--backup', '--backup', [CompletionResultType]::ParameterName, 'The backup to restore (default: the latest Completed one covering every namespace)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--report', '--report', [CompletionResultType]::ParameterName, 'Also write the report (in the -o format) to FILE')
            [CompletionResult]::new('--sandbox-role', '--sandbox-role', [CompletionResultType]::ParameterName, 'Bind this ClusterRole to --sandbox-account in each sandbox as it is created (what `drtest schedule` sets: the drill''s reads and writes inside a sandbox come from that binding alone, not from a cluster-wide grant)')
            [CompletionResult]::new('--sandbox-account', '--sandbox-account', [CompletionResultType]::ParameterName, 'The ServiceAccount (NAMESPACE/NAME) the --sandbox-role binding is for')
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
            [CompletionResult]::new('--allow-partially-failed', '--allow-partially-failed', [CompletionResultType]::ParameterName, 'Accept a PartiallyFailed backup or restore')
            [CompletionResult]::new('--latest', '--latest', [CompletionResultType]::ParameterName, 'Restore the latest Completed backup covering every namespace, as Velero picks it (the default; for scripts that want to say so)')
            [CompletionResult]::new('--keep', '--keep', [CompletionResultType]::ParameterName, 'Leave the sandbox in place for inspection')
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
        'kubectl-drtest;backups' {
            [CompletionResult]::new('--for', '--for', [CompletionResultType]::ParameterName, 'Only backups that cover this namespace (`-n` is the Velero namespace''s flag of kubectl)')
            [CompletionResult]::new('--velero-namespace', '--velero-namespace', [CompletionResultType]::ParameterName, 'Where Velero runs')
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
        'kubectl-drtest;status' {
            [CompletionResult]::new('--for', '--for', [CompletionResultType]::ParameterName, 'Protected namespaces to report on (default: every namespace a backup or Schedule names)')
            [CompletionResult]::new('--max-backup-age', '--max-backup-age', [CompletionResultType]::ParameterName, 'The RPO: the newest successful backup must be younger')
            [CompletionResult]::new('--velero-namespace', '--velero-namespace', [CompletionResultType]::ParameterName, 'Where Velero runs')
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
        'kubectl-drtest;history' {
            [CompletionResult]::new('--for', '--for', [CompletionResultType]::ParameterName, 'Only drills that recovered this namespace')
            [CompletionResult]::new('--history-namespace', '--history-namespace', [CompletionResultType]::ParameterName, 'Where the reports are recorded (default: the Velero namespace)')
            [CompletionResult]::new('--velero-namespace', '--velero-namespace', [CompletionResultType]::ParameterName, 'Where Velero runs')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'How many drills to show, newest first')
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
        'kubectl-drtest;cleanup' {
            [CompletionResult]::new('--older-than', '--older-than', [CompletionResultType]::ParameterName, 'Delete drill leftovers created at least this long ago, expired or not (default: only those past their expiry annotation)')
            [CompletionResult]::new('--drill', '--drill', [CompletionResultType]::ParameterName, 'Delete this drill''s leftovers now, whatever their age (the id a drill''s report and its cleanup error name: `drtest-18c2f3a`)')
            [CompletionResult]::new('--velero-namespace', '--velero-namespace', [CompletionResultType]::ParameterName, 'Where Velero runs')
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
        'kubectl-drtest;schedule' {
            [CompletionResult]::new('--for', '--for', [CompletionResultType]::ParameterName, 'A namespace to recover (repeatable). kubectl''s own `-n/--namespace` flag names one namespace only, so the drill''s are given with `--for`')
            [CompletionResult]::new('--velero-namespace', '--velero-namespace', [CompletionResultType]::ParameterName, 'Where Velero runs')
            [CompletionResult]::new('--smoke-job', '--smoke-job', [CompletionResultType]::ParameterName, 'A smoke-test Job manifest, run in the (first) sandbox namespace once the restore is ready; its namespace is replaced by the sandbox''s')
            [CompletionResult]::new('--smoke-image', '--smoke-image', [CompletionResultType]::ParameterName, 'A smoke-test Job''s image, run in the sandbox after the restore is ready')
            [CompletionResult]::new('--smoke-command', '--smoke-command', [CompletionResultType]::ParameterName, 'The smoke test''s shell command')
            [CompletionResult]::new('--http-check', '--http-check', [CompletionResultType]::ParameterName, 'An HTTP check through the API server''s service proxy, after the smoke Job (repeatable): [NAMESPACE/]SERVICE:PORT/PATH[=STATUS], STATUS 200 by default; NAMESPACE is the backed-up namespace, mapped to its sandbox')
            [CompletionResult]::new('--max-backup-age', '--max-backup-age', [CompletionResultType]::ParameterName, 'The RPO: the backup must be younger')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long each wait may take')
            [CompletionResult]::new('--history-namespace', '--history-namespace', [CompletionResultType]::ParameterName, 'Where each drill''s report is recorded, as a ConfigMap (default: the Velero namespace)')
            [CompletionResult]::new('--history-limit', '--history-limit', [CompletionResultType]::ParameterName, 'How many recorded reports to keep; 0 records nothing')
            [CompletionResult]::new('--cron', '--cron', [CompletionResultType]::ParameterName, 'When to drill, in cron syntax (default: Sundays at midnight)')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The CronJob''s name (and its ServiceAccount''s); it runs in the -n namespace')
            [CompletionResult]::new('--image', '--image', [CompletionResultType]::ParameterName, 'The suite''s image (built from the repository''s Dockerfile)')
            [CompletionResult]::new('--every', '--every', [CompletionResultType]::ParameterName, 'How often the Velero Schedule backs up (Velero''s `@every`)')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'How long Velero keeps each backup')
            [CompletionResult]::new('--storage-location', '--storage-location', [CompletionResultType]::ParameterName, 'The BackupStorageLocation the Schedule''s backups go to (default: Velero''s default)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Only show what would change: `client` sends nothing, `server` lets the API server validate and admit the change without persisting it')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of the printed objects: yaml (for `kubectl apply -f -` or a repository) or json (a List); with --apply, json is a WriteReport of what was applied')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of the printed objects: yaml (for `kubectl apply -f -` or a repository) or json (a List); with --apply, json is a WriteReport of what was applied')
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
            [CompletionResult]::new('--allow-partially-failed', '--allow-partially-failed', [CompletionResultType]::ParameterName, 'Accept a PartiallyFailed backup or restore')
            [CompletionResult]::new('--velero-schedule', '--velero-schedule', [CompletionResultType]::ParameterName, 'Also generate a Velero Schedule backing up the --for namespaces')
            [CompletionResult]::new('--apply', '--apply', [CompletionResultType]::ParameterName, 'Apply the objects (server-side apply) instead of printing them')
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
        'kubectl-drtest;version' {
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
        'kubectl-drtest;help' {
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'A disaster-recovery drill: restore the latest backup into a sandbox, wait, smoke-test, report RPO and RTO, clean up')
            [CompletionResult]::new('backups', 'backups', [CompletionResultType]::ParameterValue, 'Velero backups: phase, age, expiry, storage location, item counts, errors and warnings')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Per protected namespace: the last successful backup and its age, Schedules, location health')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'Past drills from their recorded reports: result, RPO and RTO, and the trend')
            [CompletionResult]::new('cleanup', 'cleanup', [CompletionResultType]::ParameterValue, 'Delete what killed drills left behind: labelled sandbox namespaces and Restores, once expired or older than --older-than')
            [CompletionResult]::new('schedule', 'schedule', [CompletionResultType]::ParameterValue, 'The in-cluster drill: a CronJob running `kubectl-drtest run` under least-privilege RBAC, and optionally the Velero Schedule that makes its backups')
            [CompletionResult]::new('version', 'version', [CompletionResultType]::ParameterValue, 'Print the plugin''s version, and the API server''s version and context when reachable')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kubectl-drtest;help;run' {
            break
        }
        'kubectl-drtest;help;backups' {
            break
        }
        'kubectl-drtest;help;status' {
            break
        }
        'kubectl-drtest;help;history' {
            break
        }
        'kubectl-drtest;help;cleanup' {
            break
        }
        'kubectl-drtest;help;schedule' {
            break
        }
        'kubectl-drtest;help;version' {
            break
        }
        'kubectl-drtest;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
