# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_kubectl_harden_global_optspecs
    string join \n kubeconfig= context= cluster= user= n/namespace= as= as-group= as-uid= request-timeout= s/server= token= certificate-authority= client-certificate= client-key= tls-server-name= insecure-skip-tls-verify= v/verbose y/yes h/help V/version
end

function __fish_kubectl_harden_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_kubectl_harden_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_kubectl_harden_using_subcommand
    set -l cmd (__fish_kubectl_harden_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c kubectl-harden -n "__fish_kubectl_harden_needs_command" -l kubeconfig -d 'Path to the kubeconfig file to use, alone (KUBECONFIG is then ignored)' -r -F
complete -c kubectl-harden -n "__fish_kubectl_harden_needs_command" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_needs_command" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_needs_command" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_needs_command" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace, then `default`)' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_needs_command" -l as -d 'Username to impersonate for the operation' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_needs_command" -l as-group -d 'Group to impersonate for the operation; repeat it to specify several groups' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_needs_command" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_needs_command" -l request-timeout -d 'How long to wait for a single server request before giving up (`0` = no timeout), e.g. `5s`, `1m`' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_needs_command" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_needs_command" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_needs_command" -l certificate-authority -d 'Path to a PEM file of certificate authorities that sign the server\'s certificate' -r -F
complete -c kubectl-harden -n "__fish_kubectl_harden_needs_command" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-harden -n "__fish_kubectl_harden_needs_command" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-harden -n "__fish_kubectl_harden_needs_command" -l tls-server-name -d 'Server name to use for certificate validation (default: the server URL\'s host)' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_needs_command" -l insecure-skip-tls-verify -d 'Do not check the server certificate\'s validity: this makes HTTPS connections insecure' -r -f -a "true\t''
false\t''"
complete -c kubectl-harden -n "__fish_kubectl_harden_needs_command" -s v -l verbose -d 'Log what happens on stderr: `-v` for progress and API calls, `-vv` for debug detail'
complete -c kubectl-harden -n "__fish_kubectl_harden_needs_command" -s y -l yes -d 'Answer yes to every confirmation prompt (needed for destructive steps when stdin is not a terminal)'
complete -c kubectl-harden -n "__fish_kubectl_harden_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-harden -n "__fish_kubectl_harden_needs_command" -s V -l version -d 'Print version'
complete -c kubectl-harden -n "__fish_kubectl_harden_needs_command" -f -a "audit" -d 'Audit manifests against the Pod Security Standards and production practice'
complete -c kubectl-harden -n "__fish_kubectl_harden_needs_command" -f -a "fix" -d 'Fix what the audit finds, in manifest files (formatting kept) or live objects'
complete -c kubectl-harden -n "__fish_kubectl_harden_needs_command" -f -a "pss" -d 'Per namespace: the strictest Pod Security level its workloads meet; label namespaces'
complete -c kubectl-harden -n "__fish_kubectl_harden_needs_command" -f -a "checks" -d 'List every check: id, standard, severity, title (and the fix with -o wide)'
complete -c kubectl-harden -n "__fish_kubectl_harden_needs_command" -f -a "version" -d 'Print the plugin\'s version, and the API server\'s version and context when reachable'
complete -c kubectl-harden -n "__fish_kubectl_harden_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand audit" -s f -l filename -d 'A manifest file or directory (recursive), or `-` for stdin; repeatable' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand audit" -s k -l kustomize -d 'A kustomization directory, built with `kubectl kustomize`' -r -F
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand audit" -l contexts -d 'Run against these kubeconfig contexts (clusters) concurrently, with a cluster column; comma-separated' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand audit" -s l -l selector -d 'Without -f/-k: audit only the workloads matching this label selector' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand audit" -l level -d 'The Pod Security Standards level (`fix` also labels namespaces with it)' -r -f -a "baseline\t'Prevents known privilege escalations'
restricted\t'Current pod hardening best practice'"
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand audit" -l pss-version -d 'The Pod Security Standards policy version: `latest` (the default) or `v1.N`. `fix` pins namespace labels to it; with `latest`, a live fix pins the API server\'s own version (as `pss --apply-labels` does) and a fix of files the newest this release knows' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand audit" -l disable -d 'Do not run these checks (repeatable or comma-separated; `kubectl harden checks` lists the ids), on top of the config file\'s `disable` list' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand audit" -l config -d 'The config file (default: the nearest .harden.yaml from the working directory up)' -r -F
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand audit" -l fail-on -d 'Exit 1 when a finding is at least this severe (`none`: never)' -r -f -a "error\t''
warning\t''
info\t''
none\t''"
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand audit" -s o -l output -d 'Output format: `table`, `wide` (with the fix), `json`/`yaml` (AuditReport), `sarif` (SARIF 2.1.0 for code scanning), `junit` (a test case per object and check)' -r -f -a "table\t'Columns for people (default)'
wide\t'The table with extra columns'
json\t'A JSON document with `apiVersion` and `kind`'
yaml\t'A YAML document with `apiVersion` and `kind`'
sarif\t'SARIF 2.1.0, for code scanning'
junit\t'JUnit XML: a test case per object and check'"
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand audit" -l kubeconfig -d 'Path to the kubeconfig file to use, alone (KUBECONFIG is then ignored)' -r -F
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand audit" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand audit" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand audit" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand audit" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace, then `default`)' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand audit" -l as -d 'Username to impersonate for the operation' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand audit" -l as-group -d 'Group to impersonate for the operation; repeat it to specify several groups' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand audit" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand audit" -l request-timeout -d 'How long to wait for a single server request before giving up (`0` = no timeout), e.g. `5s`, `1m`' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand audit" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand audit" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand audit" -l certificate-authority -d 'Path to a PEM file of certificate authorities that sign the server\'s certificate' -r -F
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand audit" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand audit" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand audit" -l tls-server-name -d 'Server name to use for certificate validation (default: the server URL\'s host)' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand audit" -l insecure-skip-tls-verify -d 'Do not check the server certificate\'s validity: this makes HTTPS connections insecure' -r -f -a "true\t''
false\t''"
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand audit" -s A -l all-namespaces -d 'Without -f/-k: audit the live objects of every namespace (default: the current namespace)'
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand audit" -l all-contexts -d 'Run against every context of the kubeconfig concurrently'
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand audit" -l no-ignores -d 'Disregard `harden.shipshape.dev/ignore` annotations and config exemptions'
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand audit" -s v -l verbose -d 'Log what happens on stderr: `-v` for progress and API calls, `-vv` for debug detail'
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand audit" -s y -l yes -d 'Answer yes to every confirmation prompt (needed for destructive steps when stdin is not a terminal)'
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand audit" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand audit" -s V -l version -d 'Print version'
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand fix" -s f -l filename -d 'A manifest file or directory (recursive), or `-` for stdin; repeatable. Prints the fixed manifests unless --in-place, --output-dir or --diff says otherwise' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand fix" -l output-dir -d 'Write the fixed files under DIR, keeping their paths below the -f directory' -r -F
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand fix" -l run-as-user -d 'The runAsUser, runAsGroup and fsGroup to set where they are missing or root (1-2147483647: 0 is root, which runAsNonRoot forbids)' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand fix" -l requests -d 'Requests for containers without them' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand fix" -l limits -d 'Limits for containers without them (raised to the request where that is higher)' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand fix" -l level -d 'The Pod Security Standards level (`fix` also labels namespaces with it)' -r -f -a "baseline\t'Prevents known privilege escalations'
restricted\t'Current pod hardening best practice'"
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand fix" -l pss-version -d 'The Pod Security Standards policy version: `latest` (the default) or `v1.N`. `fix` pins namespace labels to it; with `latest`, a live fix pins the API server\'s own version (as `pss --apply-labels` does) and a fix of files the newest this release knows' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand fix" -l disable -d 'Do not run these checks (repeatable or comma-separated; `kubectl harden checks` lists the ids), on top of the config file\'s `disable` list' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand fix" -l config -d 'The config file (default: the nearest .harden.yaml from the working directory up)' -r -F
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand fix" -l dry-run -d 'Only show what would change: `client` sends nothing, `server` lets the API server validate and admit the change without persisting it' -r -f -a "none\t'Write for real'
client\t'Send nothing: show what would be sent'
server\t'Send with `dryRun=All`: the server validates and admits, but persists nothing'"
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand fix" -l emit-kustomize -d 'Write the live fixes as patches and a kustomize Component (kustomization.yaml) in DIR' -r -F
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand fix" -l kubeconfig -d 'Path to the kubeconfig file to use, alone (KUBECONFIG is then ignored)' -r -F
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand fix" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand fix" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand fix" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand fix" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace, then `default`)' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand fix" -l as -d 'Username to impersonate for the operation' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand fix" -l as-group -d 'Group to impersonate for the operation; repeat it to specify several groups' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand fix" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand fix" -l request-timeout -d 'How long to wait for a single server request before giving up (`0` = no timeout), e.g. `5s`, `1m`' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand fix" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand fix" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand fix" -l certificate-authority -d 'Path to a PEM file of certificate authorities that sign the server\'s certificate' -r -F
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand fix" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand fix" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand fix" -l tls-server-name -d 'Server name to use for certificate validation (default: the server URL\'s host)' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand fix" -l insecure-skip-tls-verify -d 'Do not check the server certificate\'s validity: this makes HTTPS connections insecure' -r -f -a "true\t''
false\t''"
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand fix" -l all -d 'Fix every workload of the namespace (-n), and the namespace\'s labels'
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand fix" -l in-place -d 'Rewrite the files (atomically; only files that change are touched)'
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand fix" -l diff -d 'Print a unified diff of each changed file instead; exit 1 when anything would change'
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand fix" -l add-missing -d 'Also write a PodDisruptionBudget (maxUnavailable: 1) for each multi-replica workload without one, and a default-deny NetworkPolicy (DNS egress allowed) per namespace'
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand fix" -l override-explicit -d 'Also change values the author wrote explicitly (`readOnlyRootFilesystem: false`, `automountServiceAccountToken: true`, `runAsUser: 0`, a `-version: latest` label…). By default an explicit value is a decision: it is left and listed among the findings that need a person. Live, such fields usually belong to another field manager (`kubectl apply`), so this also needs --force-conflicts'
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand fix" -l tmp-volume -d 'Mount an emptyDir at /tmp in containers made read-only'
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand fix" -l no-ignores -d 'Disregard `harden.shipshape.dev/ignore` annotations and config exemptions'
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand fix" -l force-conflicts -d 'Take over fields another field manager owns (`kubectl apply`, `kubectl edit`, another tool): without it, applying such a field is refused with a 409 Conflict naming each one'
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand fix" -s v -l verbose -d 'Log what happens on stderr: `-v` for progress and API calls, `-vv` for debug detail'
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand fix" -s y -l yes -d 'Answer yes to every confirmation prompt (needed for destructive steps when stdin is not a terminal)'
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand fix" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand fix" -s V -l version -d 'Print version'
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand pss" -l level -d 'The level to check against and to label with' -r -f -a "baseline\t'Prevents known privilege escalations'
restricted\t'Current pod hardening best practice'"
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand pss" -l pss-version -d 'The policy version: `v1.N`, or `latest`, which labels with the API server\'s version' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand pss" -l dry-run -d 'Only show what would change: `client` sends nothing, `server` lets the API server validate and admit the change without persisting it' -r -f -a "none\t'Write for real'
client\t'Send nothing: show what would be sent'
server\t'Send with `dryRun=All`: the server validates and admits, but persists nothing'"
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand pss" -s o -l output -d 'Output format: `table` for people, `wide` for more columns, `json`/`yaml` for scripts' -r -f -a "table\t'Columns for people (default)'
wide\t'The table with extra columns'
json\t'A JSON document with `apiVersion` and `kind`'
yaml\t'A YAML document with `apiVersion` and `kind`'"
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand pss" -l kubeconfig -d 'Path to the kubeconfig file to use, alone (KUBECONFIG is then ignored)' -r -F
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand pss" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand pss" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand pss" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand pss" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace, then `default`)' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand pss" -l as -d 'Username to impersonate for the operation' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand pss" -l as-group -d 'Group to impersonate for the operation; repeat it to specify several groups' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand pss" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand pss" -l request-timeout -d 'How long to wait for a single server request before giving up (`0` = no timeout), e.g. `5s`, `1m`' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand pss" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand pss" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand pss" -l certificate-authority -d 'Path to a PEM file of certificate authorities that sign the server\'s certificate' -r -F
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand pss" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand pss" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand pss" -l tls-server-name -d 'Server name to use for certificate validation (default: the server URL\'s host)' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand pss" -l insecure-skip-tls-verify -d 'Do not check the server certificate\'s validity: this makes HTTPS connections insecure' -r -f -a "true\t''
false\t''"
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand pss" -s A -l all-namespaces -d 'Every namespace (default: the current namespace)'
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand pss" -l apply-labels -d 'Set pod-security.kubernetes.io/enforce, audit and warn (and their -version labels) on each namespace; asks first unless --yes. Namespaces whose workloads the level would reject are refused unless --force'
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand pss" -l force -d 'Label namespaces even though enforcing the level would reject some of their workloads'
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand pss" -l force-conflicts -d 'Take over fields another field manager owns (`kubectl apply`, `kubectl edit`, another tool): without it, applying such a field is refused with a 409 Conflict naming each one'
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand pss" -s v -l verbose -d 'Log what happens on stderr: `-v` for progress and API calls, `-vv` for debug detail'
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand pss" -s y -l yes -d 'Answer yes to every confirmation prompt (needed for destructive steps when stdin is not a terminal)'
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand pss" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand pss" -s V -l version -d 'Print version'
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand checks" -s o -l output -d 'Output format: `table` for people, `wide` for more columns, `json`/`yaml` for scripts' -r -f -a "table\t'Columns for people (default)'
wide\t'The table with extra columns'
json\t'A JSON document with `apiVersion` and `kind`'
yaml\t'A YAML document with `apiVersion` and `kind`'"
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand checks" -l kubeconfig -d 'Path to the kubeconfig file to use, alone (KUBECONFIG is then ignored)' -r -F
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand checks" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand checks" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand checks" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand checks" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace, then `default`)' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand checks" -l as -d 'Username to impersonate for the operation' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand checks" -l as-group -d 'Group to impersonate for the operation; repeat it to specify several groups' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand checks" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand checks" -l request-timeout -d 'How long to wait for a single server request before giving up (`0` = no timeout), e.g. `5s`, `1m`' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand checks" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand checks" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand checks" -l certificate-authority -d 'Path to a PEM file of certificate authorities that sign the server\'s certificate' -r -F
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand checks" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand checks" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand checks" -l tls-server-name -d 'Server name to use for certificate validation (default: the server URL\'s host)' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand checks" -l insecure-skip-tls-verify -d 'Do not check the server certificate\'s validity: this makes HTTPS connections insecure' -r -f -a "true\t''
false\t''"
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand checks" -s v -l verbose -d 'Log what happens on stderr: `-v` for progress and API calls, `-vv` for debug detail'
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand checks" -s y -l yes -d 'Answer yes to every confirmation prompt (needed for destructive steps when stdin is not a terminal)'
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand checks" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand checks" -s V -l version -d 'Print version'
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand version" -s o -l output -d 'Output format: `table` for people, `wide` for more columns, `json`/`yaml` for scripts' -r -f -a "table\t'Columns for people (default)'
wide\t'The table with extra columns'
json\t'A JSON document with `apiVersion` and `kind`'
yaml\t'A YAML document with `apiVersion` and `kind`'"
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand version" -l kubeconfig -d 'Path to the kubeconfig file to use, alone (KUBECONFIG is then ignored)' -r -F
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand version" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand version" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand version" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand version" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace, then `default`)' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand version" -l as -d 'Username to impersonate for the operation' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand version" -l as-group -d 'Group to impersonate for the operation; repeat it to specify several groups' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand version" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand version" -l request-timeout -d 'How long to wait for a single server request before giving up (`0` = no timeout), e.g. `5s`, `1m`' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand version" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand version" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand version" -l certificate-authority -d 'Path to a PEM file of certificate authorities that sign the server\'s certificate' -r -F
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand version" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand version" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand version" -l tls-server-name -d 'Server name to use for certificate validation (default: the server URL\'s host)' -r
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand version" -l insecure-skip-tls-verify -d 'Do not check the server certificate\'s validity: this makes HTTPS connections insecure' -r -f -a "true\t''
false\t''"
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand version" -l client -d 'Print only the client version; do not contact the cluster'
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand version" -s v -l verbose -d 'Log what happens on stderr: `-v` for progress and API calls, `-vv` for debug detail'
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand version" -s y -l yes -d 'Answer yes to every confirmation prompt (needed for destructive steps when stdin is not a terminal)'
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand version" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand version" -s V -l version -d 'Print version'
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand help; and not __fish_seen_subcommand_from audit fix pss checks version help" -f -a "audit" -d 'Audit manifests against the Pod Security Standards and production practice'
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand help; and not __fish_seen_subcommand_from audit fix pss checks version help" -f -a "fix" -d 'Fix what the audit finds, in manifest files (formatting kept) or live objects'
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand help; and not __fish_seen_subcommand_from audit fix pss checks version help" -f -a "pss" -d 'Per namespace: the strictest Pod Security level its workloads meet; label namespaces'
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand help; and not __fish_seen_subcommand_from audit fix pss checks version help" -f -a "checks" -d 'List every check: id, standard, severity, title (and the fix with -o wide)'
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand help; and not __fish_seen_subcommand_from audit fix pss checks version help" -f -a "version" -d 'Print the plugin\'s version, and the API server\'s version and context when reachable'
complete -c kubectl-harden -n "__fish_kubectl_harden_using_subcommand help; and not __fish_seen_subcommand_from audit fix pss checks version help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
