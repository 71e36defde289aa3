# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_kubectl_drtest_global_optspecs
    string join \n kubeconfig= context= cluster= user= n/namespace= as= as-group= as-uid= request-timeout= s/server= token= certificate-authority= client-certificate= client-key= tls-server-name= insecure-skip-tls-verify= v/verbose y/yes h/help V/version
end

function __fish_kubectl_drtest_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_kubectl_drtest_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_kubectl_drtest_using_subcommand
    set -l cmd (__fish_kubectl_drtest_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c kubectl-drtest -n "__fish_kubectl_drtest_needs_command" -l kubeconfig -d 'Path to the kubeconfig file to use, alone (KUBECONFIG is then ignored)' -r -F
complete -c kubectl-drtest -n "__fish_kubectl_drtest_needs_command" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_needs_command" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_needs_command" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_needs_command" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace, then `default`)' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_needs_command" -l as -d 'Username to impersonate for the operation' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_needs_command" -l as-group -d 'Group to impersonate for the operation; repeat it to specify several groups' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_needs_command" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_needs_command" -l request-timeout -d 'How long to wait for a single server request before giving up (`0` = no timeout), e.g. `5s`, `1m`' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_needs_command" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_needs_command" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_needs_command" -l certificate-authority -d 'Path to a PEM file of certificate authorities that sign the server\'s certificate' -r -F
complete -c kubectl-drtest -n "__fish_kubectl_drtest_needs_command" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-drtest -n "__fish_kubectl_drtest_needs_command" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-drtest -n "__fish_kubectl_drtest_needs_command" -l tls-server-name -d 'Server name to use for certificate validation (default: the server URL\'s host)' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_needs_command" -l insecure-skip-tls-verify -d 'Do not check the server certificate\'s validity: this makes HTTPS connections insecure' -r -f -a "true\t''
false\t''"
complete -c kubectl-drtest -n "__fish_kubectl_drtest_needs_command" -s v -l verbose -d 'Log what happens on stderr: `-v` for progress and API calls, `-vv` for debug detail'
complete -c kubectl-drtest -n "__fish_kubectl_drtest_needs_command" -s y -l yes -d 'Answer yes to every confirmation prompt (needed for destructive steps when stdin is not a terminal)'
complete -c kubectl-drtest -n "__fish_kubectl_drtest_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-drtest -n "__fish_kubectl_drtest_needs_command" -s V -l version -d 'Print version'
complete -c kubectl-drtest -n "__fish_kubectl_drtest_needs_command" -f -a "run" -d 'A disaster-recovery drill: restore the latest backup into a sandbox, wait, smoke-test, report RPO and RTO, clean up'
complete -c kubectl-drtest -n "__fish_kubectl_drtest_needs_command" -f -a "backups" -d 'Velero backups: phase, age, expiry, storage location, item counts, errors and warnings'
complete -c kubectl-drtest -n "__fish_kubectl_drtest_needs_command" -f -a "status" -d 'Per protected namespace: the last successful backup and its age, Schedules, location health'
complete -c kubectl-drtest -n "__fish_kubectl_drtest_needs_command" -f -a "history" -d 'Past drills from their recorded reports: result, RPO and RTO, and the trend'
complete -c kubectl-drtest -n "__fish_kubectl_drtest_needs_command" -f -a "cleanup" -d 'Delete what killed drills left behind: labelled sandbox namespaces and Restores, once expired or older than --older-than'
complete -c kubectl-drtest -n "__fish_kubectl_drtest_needs_command" -f -a "schedule" -d 'The in-cluster drill: a CronJob running `kubectl-drtest run` under least-privilege RBAC, and optionally the Velero Schedule that makes its backups'
complete -c kubectl-drtest -n "__fish_kubectl_drtest_needs_command" -f -a "version" -d 'Print the plugin\'s version, and the API server\'s version and context when reachable'
complete -c kubectl-drtest -n "__fish_kubectl_drtest_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand run" -l for -d 'A namespace to recover (repeatable). kubectl\'s own `-n/--namespace` flag names one namespace only, so the drill\'s are given with `--for`' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand run" -l velero-namespace -d 'Where Velero runs' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand run" -l smoke-job -d 'A smoke-test Job manifest, run in the (first) sandbox namespace once the restore is ready; its namespace is replaced by the sandbox\'s' -r -F
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand run" -l smoke-image -d 'A smoke-test Job\'s image, run in the sandbox after the restore is ready' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand run" -l smoke-command -d 'The smoke test\'s shell command' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand run" -l http-check -d 'An HTTP check through the API server\'s service proxy, after the smoke Job (repeatable): [NAMESPACE/]SERVICE:PORT/PATH[=STATUS], STATUS 200 by default; NAMESPACE is the backed-up namespace, mapped to its sandbox' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand run" -l max-backup-age -d 'The RPO: the backup must be younger' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand run" -l timeout -d 'How long each wait may take' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand run" -l history-namespace -d 'Where each drill\'s report is recorded, as a ConfigMap (default: the Velero namespace)' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand run" -l history-limit -d 'How many recorded reports to keep; 0 records nothing' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand run" -l backup -d 'The backup to restore (default: the latest Completed one covering every namespace)' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand run" -s o -l output -d 'Output format' -r -f -a "table\t'Columns for people (default)'
wide\t'The table with extra columns'
json\t'A JSON document with `apiVersion` and `kind`'
yaml\t'A YAML document with `apiVersion` and `kind`'
junit\t'JUnit XML: a test case per phase and smoke check'"
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand run" -l report -d 'Also write the report (in the -o format) to FILE' -r -F
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand run" -l sandbox-role -d 'Bind this ClusterRole to --sandbox-account in each sandbox as it is created (what `drtest schedule` sets: the drill\'s reads and writes inside a sandbox come from that binding alone, not from a cluster-wide grant)' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand run" -l sandbox-account -d 'The ServiceAccount (NAMESPACE/NAME) the --sandbox-role binding is for' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand run" -l kubeconfig -d 'Path to the kubeconfig file to use, alone (KUBECONFIG is then ignored)' -r -F
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand run" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand run" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand run" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand run" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace, then `default`)' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand run" -l as -d 'Username to impersonate for the operation' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand run" -l as-group -d 'Group to impersonate for the operation; repeat it to specify several groups' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand run" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand run" -l request-timeout -d 'How long to wait for a single server request before giving up (`0` = no timeout), e.g. `5s`, `1m`' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand run" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand run" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand run" -l certificate-authority -d 'Path to a PEM file of certificate authorities that sign the server\'s certificate' -r -F
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand run" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand run" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand run" -l tls-server-name -d 'Server name to use for certificate validation (default: the server URL\'s host)' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand run" -l insecure-skip-tls-verify -d 'Do not check the server certificate\'s validity: this makes HTTPS connections insecure' -r -f -a "true\t''
false\t''"
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand run" -l allow-partially-failed -d 'Accept a PartiallyFailed backup or restore'
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand run" -l latest -d 'Restore the latest Completed backup covering every namespace, as Velero picks it (the default; for scripts that want to say so)'
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand run" -l keep -d 'Leave the sandbox in place for inspection'
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand run" -s v -l verbose -d 'Log what happens on stderr: `-v` for progress and API calls, `-vv` for debug detail'
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand run" -s y -l yes -d 'Answer yes to every confirmation prompt (needed for destructive steps when stdin is not a terminal)'
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand run" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand run" -s V -l version -d 'Print version'
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand backups" -l for -d 'Only backups that cover this namespace (`-n` is the Velero namespace\'s flag of kubectl)' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand backups" -l velero-namespace -d 'Where Velero runs' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand backups" -s o -l output -d 'Output format: `table` for people, `wide` for more columns, `json`/`yaml` for scripts' -r -f -a "table\t'Columns for people (default)'
wide\t'The table with extra columns'
json\t'A JSON document with `apiVersion` and `kind`'
yaml\t'A YAML document with `apiVersion` and `kind`'"
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand backups" -l kubeconfig -d 'Path to the kubeconfig file to use, alone (KUBECONFIG is then ignored)' -r -F
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand backups" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand backups" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand backups" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand backups" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace, then `default`)' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand backups" -l as -d 'Username to impersonate for the operation' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand backups" -l as-group -d 'Group to impersonate for the operation; repeat it to specify several groups' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand backups" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand backups" -l request-timeout -d 'How long to wait for a single server request before giving up (`0` = no timeout), e.g. `5s`, `1m`' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand backups" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand backups" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand backups" -l certificate-authority -d 'Path to a PEM file of certificate authorities that sign the server\'s certificate' -r -F
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand backups" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand backups" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand backups" -l tls-server-name -d 'Server name to use for certificate validation (default: the server URL\'s host)' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand backups" -l insecure-skip-tls-verify -d 'Do not check the server certificate\'s validity: this makes HTTPS connections insecure' -r -f -a "true\t''
false\t''"
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand backups" -s v -l verbose -d 'Log what happens on stderr: `-v` for progress and API calls, `-vv` for debug detail'
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand backups" -s y -l yes -d 'Answer yes to every confirmation prompt (needed for destructive steps when stdin is not a terminal)'
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand backups" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand backups" -s V -l version -d 'Print version'
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand status" -l for -d 'Protected namespaces to report on (default: every namespace a backup or Schedule names)' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand status" -l max-backup-age -d 'The RPO: the newest successful backup must be younger' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand status" -l velero-namespace -d 'Where Velero runs' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand status" -s o -l output -d 'Output format: `table` for people, `wide` for more columns, `json`/`yaml` for scripts' -r -f -a "table\t'Columns for people (default)'
wide\t'The table with extra columns'
json\t'A JSON document with `apiVersion` and `kind`'
yaml\t'A YAML document with `apiVersion` and `kind`'"
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand status" -l kubeconfig -d 'Path to the kubeconfig file to use, alone (KUBECONFIG is then ignored)' -r -F
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand status" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand status" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand status" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand status" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace, then `default`)' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand status" -l as -d 'Username to impersonate for the operation' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand status" -l as-group -d 'Group to impersonate for the operation; repeat it to specify several groups' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand status" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand status" -l request-timeout -d 'How long to wait for a single server request before giving up (`0` = no timeout), e.g. `5s`, `1m`' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand status" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand status" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand status" -l certificate-authority -d 'Path to a PEM file of certificate authorities that sign the server\'s certificate' -r -F
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand status" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand status" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand status" -l tls-server-name -d 'Server name to use for certificate validation (default: the server URL\'s host)' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand status" -l insecure-skip-tls-verify -d 'Do not check the server certificate\'s validity: this makes HTTPS connections insecure' -r -f -a "true\t''
false\t''"
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand status" -s v -l verbose -d 'Log what happens on stderr: `-v` for progress and API calls, `-vv` for debug detail'
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand status" -s y -l yes -d 'Answer yes to every confirmation prompt (needed for destructive steps when stdin is not a terminal)'
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand status" -s V -l version -d 'Print version'
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand history" -l for -d 'Only drills that recovered this namespace' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand history" -l history-namespace -d 'Where the reports are recorded (default: the Velero namespace)' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand history" -l velero-namespace -d 'Where Velero runs' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand history" -l limit -d 'How many drills to show, newest first' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand history" -s o -l output -d 'Output format: `table` for people, `wide` for more columns, `json`/`yaml` for scripts' -r -f -a "table\t'Columns for people (default)'
wide\t'The table with extra columns'
json\t'A JSON document with `apiVersion` and `kind`'
yaml\t'A YAML document with `apiVersion` and `kind`'"
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand history" -l kubeconfig -d 'Path to the kubeconfig file to use, alone (KUBECONFIG is then ignored)' -r -F
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand history" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand history" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand history" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand history" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace, then `default`)' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand history" -l as -d 'Username to impersonate for the operation' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand history" -l as-group -d 'Group to impersonate for the operation; repeat it to specify several groups' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand history" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand history" -l request-timeout -d 'How long to wait for a single server request before giving up (`0` = no timeout), e.g. `5s`, `1m`' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand history" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand history" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand history" -l certificate-authority -d 'Path to a PEM file of certificate authorities that sign the server\'s certificate' -r -F
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand history" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand history" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand history" -l tls-server-name -d 'Server name to use for certificate validation (default: the server URL\'s host)' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand history" -l insecure-skip-tls-verify -d 'Do not check the server certificate\'s validity: this makes HTTPS connections insecure' -r -f -a "true\t''
false\t''"
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand history" -s v -l verbose -d 'Log what happens on stderr: `-v` for progress and API calls, `-vv` for debug detail'
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand history" -s y -l yes -d 'Answer yes to every confirmation prompt (needed for destructive steps when stdin is not a terminal)'
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand history" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand history" -s V -l version -d 'Print version'
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand cleanup" -l older-than -d 'Delete drill leftovers created at least this long ago, expired or not (default: only those past their expiry annotation)' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand cleanup" -l drill -d 'Delete this drill\'s leftovers now, whatever their age (the id a drill\'s report and its cleanup error name: `drtest-18c2f3a`)' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand cleanup" -l velero-namespace -d 'Where Velero runs' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand cleanup" -l dry-run -d 'Only show what would change: `client` sends nothing, `server` lets the API server validate and admit the change without persisting it' -r -f -a "none\t'Write for real'
client\t'Send nothing: show what would be sent'
server\t'Send with `dryRun=All`: the server validates and admits, but persists nothing'"
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand cleanup" -s o -l output -d 'Output format: `table` for people, `wide` for more columns, `json`/`yaml` for scripts' -r -f -a "table\t'Columns for people (default)'
wide\t'The table with extra columns'
json\t'A JSON document with `apiVersion` and `kind`'
yaml\t'A YAML document with `apiVersion` and `kind`'"
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand cleanup" -l kubeconfig -d 'Path to the kubeconfig file to use, alone (KUBECONFIG is then ignored)' -r -F
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand cleanup" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand cleanup" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand cleanup" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand cleanup" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace, then `default`)' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand cleanup" -l as -d 'Username to impersonate for the operation' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand cleanup" -l as-group -d 'Group to impersonate for the operation; repeat it to specify several groups' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand cleanup" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand cleanup" -l request-timeout -d 'How long to wait for a single server request before giving up (`0` = no timeout), e.g. `5s`, `1m`' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand cleanup" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand cleanup" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand cleanup" -l certificate-authority -d 'Path to a PEM file of certificate authorities that sign the server\'s certificate' -r -F
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand cleanup" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand cleanup" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand cleanup" -l tls-server-name -d 'Server name to use for certificate validation (default: the server URL\'s host)' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand cleanup" -l insecure-skip-tls-verify -d 'Do not check the server certificate\'s validity: this makes HTTPS connections insecure' -r -f -a "true\t''
false\t''"
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand cleanup" -s v -l verbose -d 'Log what happens on stderr: `-v` for progress and API calls, `-vv` for debug detail'
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand cleanup" -s y -l yes -d 'Answer yes to every confirmation prompt (needed for destructive steps when stdin is not a terminal)'
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand cleanup" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand cleanup" -s V -l version -d 'Print version'
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand schedule" -l for -d 'A namespace to recover (repeatable). kubectl\'s own `-n/--namespace` flag names one namespace only, so the drill\'s are given with `--for`' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand schedule" -l velero-namespace -d 'Where Velero runs' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand schedule" -l smoke-job -d 'A smoke-test Job manifest, run in the (first) sandbox namespace once the restore is ready; its namespace is replaced by the sandbox\'s' -r -F
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand schedule" -l smoke-image -d 'A smoke-test Job\'s image, run in the sandbox after the restore is ready' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand schedule" -l smoke-command -d 'The smoke test\'s shell command' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand schedule" -l http-check -d 'An HTTP check through the API server\'s service proxy, after the smoke Job (repeatable): [NAMESPACE/]SERVICE:PORT/PATH[=STATUS], STATUS 200 by default; NAMESPACE is the backed-up namespace, mapped to its sandbox' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand schedule" -l max-backup-age -d 'The RPO: the backup must be younger' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand schedule" -l timeout -d 'How long each wait may take' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand schedule" -l history-namespace -d 'Where each drill\'s report is recorded, as a ConfigMap (default: the Velero namespace)' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand schedule" -l history-limit -d 'How many recorded reports to keep; 0 records nothing' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand schedule" -l cron -d 'When to drill, in cron syntax (default: Sundays at midnight)' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand schedule" -l name -d 'The CronJob\'s name (and its ServiceAccount\'s); it runs in the -n namespace' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand schedule" -l image -d 'The suite\'s image (built from the repository\'s Dockerfile)' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand schedule" -l every -d 'How often the Velero Schedule backs up (Velero\'s `@every`)' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand schedule" -l ttl -d 'How long Velero keeps each backup' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand schedule" -l storage-location -d 'The BackupStorageLocation the Schedule\'s backups go to (default: Velero\'s default)' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand schedule" -l dry-run -d 'Only show what would change: `client` sends nothing, `server` lets the API server validate and admit the change without persisting it' -r -f -a "none\t'Write for real'
client\t'Send nothing: show what would be sent'
server\t'Send with `dryRun=All`: the server validates and admits, but persists nothing'"
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand schedule" -s o -l output -d 'Output format of the printed objects: yaml (for `kubectl apply -f -` or a repository) or json (a List); with --apply, json is a WriteReport of what was applied' -r -f -a "yaml\t''
json\t''"
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand schedule" -l kubeconfig -d 'Path to the kubeconfig file to use, alone (KUBECONFIG is then ignored)' -r -F
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand schedule" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand schedule" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand schedule" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand schedule" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace, then `default`)' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand schedule" -l as -d 'Username to impersonate for the operation' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand schedule" -l as-group -d 'Group to impersonate for the operation; repeat it to specify several groups' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand schedule" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand schedule" -l request-timeout -d 'How long to wait for a single server request before giving up (`0` = no timeout), e.g. `5s`, `1m`' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand schedule" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand schedule" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand schedule" -l certificate-authority -d 'Path to a PEM file of certificate authorities that sign the server\'s certificate' -r -F
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand schedule" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand schedule" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand schedule" -l tls-server-name -d 'Server name to use for certificate validation (default: the server URL\'s host)' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand schedule" -l insecure-skip-tls-verify -d 'Do not check the server certificate\'s validity: this makes HTTPS connections insecure' -r -f -a "true\t''
false\t''"
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand schedule" -l allow-partially-failed -d 'Accept a PartiallyFailed backup or restore'
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand schedule" -l velero-schedule -d 'Also generate a Velero Schedule backing up the --for namespaces'
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand schedule" -l apply -d 'Apply the objects (server-side apply) instead of printing them'
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand schedule" -s v -l verbose -d 'Log what happens on stderr: `-v` for progress and API calls, `-vv` for debug detail'
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand schedule" -s y -l yes -d 'Answer yes to every confirmation prompt (needed for destructive steps when stdin is not a terminal)'
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand schedule" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand schedule" -s V -l version -d 'Print version'
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand version" -s o -l output -d 'Output format: `table` for people, `wide` for more columns, `json`/`yaml` for scripts' -r -f -a "table\t'Columns for people (default)'
wide\t'The table with extra columns'
json\t'A JSON document with `apiVersion` and `kind`'
yaml\t'A YAML document with `apiVersion` and `kind`'"
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand version" -l kubeconfig -d 'Path to the kubeconfig file to use, alone (KUBECONFIG is then ignored)' -r -F
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand version" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand version" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand version" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand version" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace, then `default`)' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand version" -l as -d 'Username to impersonate for the operation' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand version" -l as-group -d 'Group to impersonate for the operation; repeat it to specify several groups' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand version" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand version" -l request-timeout -d 'How long to wait for a single server request before giving up (`0` = no timeout), e.g. `5s`, `1m`' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand version" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand version" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand version" -l certificate-authority -d 'Path to a PEM file of certificate authorities that sign the server\'s certificate' -r -F
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand version" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand version" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand version" -l tls-server-name -d 'Server name to use for certificate validation (default: the server URL\'s host)' -r
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand version" -l insecure-skip-tls-verify -d 'Do not check the server certificate\'s validity: this makes HTTPS connections insecure' -r -f -a "true\t''
false\t''"
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand version" -l client -d 'Print only the client version; do not contact the cluster'
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand version" -s v -l verbose -d 'Log what happens on stderr: `-v` for progress and API calls, `-vv` for debug detail'
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand version" -s y -l yes -d 'Answer yes to every confirmation prompt (needed for destructive steps when stdin is not a terminal)'
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand version" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand version" -s V -l version -d 'Print version'
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand help; and not __fish_seen_subcommand_from run backups status history cleanup schedule version help" -f -a "run" -d 'A disaster-recovery drill: restore the latest backup into a sandbox, wait, smoke-test, report RPO and RTO, clean up'
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand help; and not __fish_seen_subcommand_from run backups status history cleanup schedule version help" -f -a "backups" -d 'Velero backups: phase, age, expiry, storage location, item counts, errors and warnings'
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand help; and not __fish_seen_subcommand_from run backups status history cleanup schedule version help" -f -a "status" -d 'Per protected namespace: the last successful backup and its age, Schedules, location health'
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand help; and not __fish_seen_subcommand_from run backups status history cleanup schedule version help" -f -a "history" -d 'Past drills from their recorded reports: result, RPO and RTO, and the trend'
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand help; and not __fish_seen_subcommand_from run backups status history cleanup schedule version help" -f -a "cleanup" -d 'Delete what killed drills left behind: labelled sandbox namespaces and Restores, once expired or older than --older-than'
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand help; and not __fish_seen_subcommand_from run backups status history cleanup schedule version help" -f -a "schedule" -d 'The in-cluster drill: a CronJob running `kubectl-drtest run` under least-privilege RBAC, and optionally the Velero Schedule that makes its backups'
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand help; and not __fish_seen_subcommand_from run backups status history cleanup schedule version help" -f -a "version" -d 'Print the plugin\'s version, and the API server\'s version and context when reachable'
complete -c kubectl-drtest -n "__fish_kubectl_drtest_using_subcommand help; and not __fish_seen_subcommand_from run backups status history cleanup schedule version help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
