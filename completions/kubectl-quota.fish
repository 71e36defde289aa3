# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_kubectl_quota_global_optspecs
    string join \n kubeconfig= context= cluster= user= n/namespace= as= as-group= as-uid= request-timeout= s/server= token= certificate-authority= client-certificate= client-key= tls-server-name= insecure-skip-tls-verify= v/verbose y/yes h/help V/version
end

function __fish_kubectl_quota_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_kubectl_quota_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_kubectl_quota_using_subcommand
    set -l cmd (__fish_kubectl_quota_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c kubectl-quota -n "__fish_kubectl_quota_needs_command" -l kubeconfig -d 'Path to the kubeconfig file to use, alone (KUBECONFIG is then ignored)' -r -F
complete -c kubectl-quota -n "__fish_kubectl_quota_needs_command" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_needs_command" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_needs_command" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_needs_command" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace, then `default`)' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_needs_command" -l as -d 'Username to impersonate for the operation' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_needs_command" -l as-group -d 'Group to impersonate for the operation; repeat it to specify several groups' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_needs_command" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_needs_command" -l request-timeout -d 'How long to wait for a single server request before giving up (`0` = no timeout), e.g. `5s`, `1m`' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_needs_command" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_needs_command" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_needs_command" -l certificate-authority -d 'Path to a PEM file of certificate authorities that sign the server\'s certificate' -r -F
complete -c kubectl-quota -n "__fish_kubectl_quota_needs_command" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-quota -n "__fish_kubectl_quota_needs_command" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-quota -n "__fish_kubectl_quota_needs_command" -l tls-server-name -d 'Server name to use for certificate validation (default: the server URL\'s host)' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_needs_command" -l insecure-skip-tls-verify -d 'Do not check the server certificate\'s validity: this makes HTTPS connections insecure' -r -f -a "true\t''
false\t''"
complete -c kubectl-quota -n "__fish_kubectl_quota_needs_command" -s v -l verbose -d 'Log what happens on stderr: `-v` for progress and API calls, `-vv` for debug detail'
complete -c kubectl-quota -n "__fish_kubectl_quota_needs_command" -s y -l yes -d 'Answer yes to every confirmation prompt (needed for destructive steps when stdin is not a terminal)'
complete -c kubectl-quota -n "__fish_kubectl_quota_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-quota -n "__fish_kubectl_quota_needs_command" -s V -l version -d 'Print version'
complete -c kubectl-quota -n "__fish_kubectl_quota_needs_command" -f -a "status" -d 'Used against hard for every quota, by pressure, with LimitRanges and a recount from pods'
complete -c kubectl-quota -n "__fish_kubectl_quota_needs_command" -f -a "check" -d 'Predict whether workloads\' pods would be admitted: LimitRange, then quota, as the API server'
complete -c kubectl-quota -n "__fish_kubectl_quota_needs_command" -f -a "recommend" -d 'Requests and limits from real usage (metrics sampled over a window, or VPA), and a quota'
complete -c kubectl-quota -n "__fish_kubectl_quota_needs_command" -f -a "generate" -d 'Write a ResourceQuota and LimitRange for a namespace from a profile; apply them with --apply'
complete -c kubectl-quota -n "__fish_kubectl_quota_needs_command" -f -a "version" -d 'Print the plugin\'s version, and the API server\'s version and context when reachable'
complete -c kubectl-quota -n "__fish_kubectl_quota_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand status" -l contexts -d 'Run against these kubeconfig contexts (clusters) concurrently, with a cluster column; comma-separated' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand status" -s o -l output -d 'Output format: `table` for people, `wide` for more columns, `json`/`yaml` for scripts' -r -f -a "table\t'Columns for people (default)'
wide\t'The table with extra columns'
json\t'A JSON document with `apiVersion` and `kind`'
yaml\t'A YAML document with `apiVersion` and `kind`'"
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand status" -l kubeconfig -d 'Path to the kubeconfig file to use, alone (KUBECONFIG is then ignored)' -r -F
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand status" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand status" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand status" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand status" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace, then `default`)' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand status" -l as -d 'Username to impersonate for the operation' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand status" -l as-group -d 'Group to impersonate for the operation; repeat it to specify several groups' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand status" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand status" -l request-timeout -d 'How long to wait for a single server request before giving up (`0` = no timeout), e.g. `5s`, `1m`' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand status" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand status" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand status" -l certificate-authority -d 'Path to a PEM file of certificate authorities that sign the server\'s certificate' -r -F
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand status" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand status" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand status" -l tls-server-name -d 'Server name to use for certificate validation (default: the server URL\'s host)' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand status" -l insecure-skip-tls-verify -d 'Do not check the server certificate\'s validity: this makes HTTPS connections insecure' -r -f -a "true\t''
false\t''"
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand status" -s A -l all-namespaces -d 'Every namespace (default: the current one)'
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand status" -l all-contexts -d 'Run against every context of the kubeconfig concurrently'
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand status" -s v -l verbose -d 'Log what happens on stderr: `-v` for progress and API calls, `-vv` for debug detail'
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand status" -s y -l yes -d 'Answer yes to every confirmation prompt (needed for destructive steps when stdin is not a terminal)'
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand status" -s V -l version -d 'Print version'
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand check" -s f -l filename -d 'Manifests to check (file, directory or `-`; repeatable). Without them, the live workloads' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand check" -s k -l kustomize -d 'A kustomization directory, built with `kubectl kustomize`' -r -F
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand check" -l quota-file -d 'ResourceQuota and LimitRange objects to check against instead of the cluster\'s (usage counted from zero)' -r -F
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand check" -s o -l output -d 'Output format: `table` for people, `wide` for more columns, `json`/`yaml` for scripts' -r -f -a "table\t'Columns for people (default)'
wide\t'The table with extra columns'
json\t'A JSON document with `apiVersion` and `kind`'
yaml\t'A YAML document with `apiVersion` and `kind`'"
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand check" -l kubeconfig -d 'Path to the kubeconfig file to use, alone (KUBECONFIG is then ignored)' -r -F
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand check" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand check" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand check" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand check" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace, then `default`)' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand check" -l as -d 'Username to impersonate for the operation' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand check" -l as-group -d 'Group to impersonate for the operation; repeat it to specify several groups' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand check" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand check" -l request-timeout -d 'How long to wait for a single server request before giving up (`0` = no timeout), e.g. `5s`, `1m`' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand check" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand check" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand check" -l certificate-authority -d 'Path to a PEM file of certificate authorities that sign the server\'s certificate' -r -F
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand check" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand check" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand check" -l tls-server-name -d 'Server name to use for certificate validation (default: the server URL\'s host)' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand check" -l insecure-skip-tls-verify -d 'Do not check the server certificate\'s validity: this makes HTTPS connections insecure' -r -f -a "true\t''
false\t''"
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand check" -s A -l all-namespaces -d 'Without -f: every namespace\'s live workloads'
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand check" -s v -l verbose -d 'Log what happens on stderr: `-v` for progress and API calls, `-vv` for debug detail'
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand check" -s y -l yes -d 'Answer yes to every confirmation prompt (needed for destructive steps when stdin is not a terminal)'
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand check" -s V -l version -d 'Print version'
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand recommend" -l source -d 'Where usage comes from' -r -f -a "metrics\t'metrics.k8s.io (metrics-server), sampled every --interval for --window'
vpa\t'VerticalPodAutoscaler status recommendations'
prometheus\t'Prometheus history of cAdvisor\'s metrics over --window, at --interval resolution'"
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand recommend" -l window -d 'How long to sample metrics.k8s.io' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand recommend" -l interval -d 'How often to sample within the window' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand recommend" -l percentile -d 'The CPU percentile the request covers' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand recommend" -l headroom -d 'Added to every recommended value and to the namespace quota: `20%` or `20`' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand recommend" -l prometheus -d 'Prometheus base URL, for --source prometheus' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand recommend" -l dry-run -d 'Only show what would change: `client` sends nothing, `server` lets the API server validate and admit the change without persisting it' -r -f -a "none\t'Write for real'
client\t'Send nothing: show what would be sent'
server\t'Send with `dryRun=All`: the server validates and admits, but persists nothing'"
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand recommend" -s o -l output -d 'Output format: table, wide (with what backs each value), json, yaml, or patch' -r -f -a "table\t'Columns for people (default)'
wide\t'The table with extra columns'
json\t'A JSON document with `apiVersion` and `kind`'
yaml\t'A YAML document with `apiVersion` and `kind`'
patch\t'Strategic-merge patches of the workloads (YAML documents)'"
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand recommend" -l kubeconfig -d 'Path to the kubeconfig file to use, alone (KUBECONFIG is then ignored)' -r -F
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand recommend" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand recommend" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand recommend" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand recommend" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace, then `default`)' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand recommend" -l as -d 'Username to impersonate for the operation' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand recommend" -l as-group -d 'Group to impersonate for the operation; repeat it to specify several groups' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand recommend" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand recommend" -l request-timeout -d 'How long to wait for a single server request before giving up (`0` = no timeout), e.g. `5s`, `1m`' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand recommend" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand recommend" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand recommend" -l certificate-authority -d 'Path to a PEM file of certificate authorities that sign the server\'s certificate' -r -F
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand recommend" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand recommend" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand recommend" -l tls-server-name -d 'Server name to use for certificate validation (default: the server URL\'s host)' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand recommend" -l insecure-skip-tls-verify -d 'Do not check the server certificate\'s validity: this makes HTTPS connections insecure' -r -f -a "true\t''
false\t''"
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand recommend" -s A -l all-namespaces -d 'Every namespace (default: the current one)'
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand recommend" -l apply -d 'Apply the recommendations (server-side apply of the patches): shows the server\'s dry-run diff, then asks unless --yes'
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand recommend" -l force-conflicts -d 'Take over fields another field manager owns (`kubectl apply`, `kubectl edit`, another tool): without it, applying such a field is refused with a 409 Conflict naming each one'
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand recommend" -s v -l verbose -d 'Log what happens on stderr: `-v` for progress and API calls, `-vv` for debug detail'
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand recommend" -s y -l yes -d 'Answer yes to every confirmation prompt (needed for destructive steps when stdin is not a terminal)'
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand recommend" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand recommend" -s V -l version -d 'Print version'
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand generate" -l profile -d 'The sizing profile; `from-usage` sizes the quota from `recommend` (metrics sampled over --window, or --source vpa)' -r -f -a "small\t'A team\'s development namespace'
medium\t'A service with a few workloads'
large\t'A busy product namespace'
production\t'The playbook\'s production quota (requests.cpu 100, requests.memory 200Gi, limits.cpu 200, limits.memory 400Gi, 20 PVCs, 2 load balancers)'
from-usage\t'Σ of `recommend`\'s values for the namespace\'s workloads, plus headroom'"
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand generate" -l source -d 'For --profile from-usage: where usage comes from' -r -f -a "metrics\t'metrics.k8s.io (metrics-server), sampled every --interval for --window'
vpa\t'VerticalPodAutoscaler status recommendations'
prometheus\t'Prometheus history of cAdvisor\'s metrics over --window, at --interval resolution'"
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand generate" -l window -d 'For --profile from-usage: how long to sample metrics.k8s.io' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand generate" -l interval -d 'For --profile from-usage: how often to sample' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand generate" -l prometheus -d 'For --profile from-usage with --source prometheus: its base URL' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand generate" -l headroom -d 'For --profile from-usage: added to the summed recommendations: `20%` or `20`' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand generate" -l dry-run -d 'Only show what would change: `client` sends nothing, `server` lets the API server validate and admit the change without persisting it' -r -f -a "none\t'Write for real'
client\t'Send nothing: show what would be sent'
server\t'Send with `dryRun=All`: the server validates and admits, but persists nothing'"
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand generate" -s o -l output -d 'Output format of the generated objects: yaml (default) or json' -r -f -a "yaml\t''
json\t''"
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand generate" -l kubeconfig -d 'Path to the kubeconfig file to use, alone (KUBECONFIG is then ignored)' -r -F
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand generate" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand generate" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand generate" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand generate" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace, then `default`)' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand generate" -l as -d 'Username to impersonate for the operation' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand generate" -l as-group -d 'Group to impersonate for the operation; repeat it to specify several groups' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand generate" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand generate" -l request-timeout -d 'How long to wait for a single server request before giving up (`0` = no timeout), e.g. `5s`, `1m`' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand generate" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand generate" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand generate" -l certificate-authority -d 'Path to a PEM file of certificate authorities that sign the server\'s certificate' -r -F
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand generate" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand generate" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand generate" -l tls-server-name -d 'Server name to use for certificate validation (default: the server URL\'s host)' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand generate" -l insecure-skip-tls-verify -d 'Do not check the server certificate\'s validity: this makes HTTPS connections insecure' -r -f -a "true\t''
false\t''"
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand generate" -l apply -d 'Apply the objects (server-side apply): shows the server\'s dry-run diff and warnings about running pods, then asks unless --yes'
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand generate" -l force-conflicts -d 'Take over fields another field manager owns (`kubectl apply`, `kubectl edit`, another tool): without it, applying such a field is refused with a 409 Conflict naming each one'
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand generate" -s v -l verbose -d 'Log what happens on stderr: `-v` for progress and API calls, `-vv` for debug detail'
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand generate" -s y -l yes -d 'Answer yes to every confirmation prompt (needed for destructive steps when stdin is not a terminal)'
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand generate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand generate" -s V -l version -d 'Print version'
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand version" -s o -l output -d 'Output format: `table` for people, `wide` for more columns, `json`/`yaml` for scripts' -r -f -a "table\t'Columns for people (default)'
wide\t'The table with extra columns'
json\t'A JSON document with `apiVersion` and `kind`'
yaml\t'A YAML document with `apiVersion` and `kind`'"
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand version" -l kubeconfig -d 'Path to the kubeconfig file to use, alone (KUBECONFIG is then ignored)' -r -F
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand version" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand version" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand version" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand version" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace, then `default`)' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand version" -l as -d 'Username to impersonate for the operation' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand version" -l as-group -d 'Group to impersonate for the operation; repeat it to specify several groups' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand version" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand version" -l request-timeout -d 'How long to wait for a single server request before giving up (`0` = no timeout), e.g. `5s`, `1m`' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand version" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand version" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand version" -l certificate-authority -d 'Path to a PEM file of certificate authorities that sign the server\'s certificate' -r -F
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand version" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand version" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand version" -l tls-server-name -d 'Server name to use for certificate validation (default: the server URL\'s host)' -r
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand version" -l insecure-skip-tls-verify -d 'Do not check the server certificate\'s validity: this makes HTTPS connections insecure' -r -f -a "true\t''
false\t''"
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand version" -l client -d 'Print only the client version; do not contact the cluster'
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand version" -s v -l verbose -d 'Log what happens on stderr: `-v` for progress and API calls, `-vv` for debug detail'
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand version" -s y -l yes -d 'Answer yes to every confirmation prompt (needed for destructive steps when stdin is not a terminal)'
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand version" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand version" -s V -l version -d 'Print version'
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand help; and not __fish_seen_subcommand_from status check recommend generate version help" -f -a "status" -d 'Used against hard for every quota, by pressure, with LimitRanges and a recount from pods'
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand help; and not __fish_seen_subcommand_from status check recommend generate version help" -f -a "check" -d 'Predict whether workloads\' pods would be admitted: LimitRange, then quota, as the API server'
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand help; and not __fish_seen_subcommand_from status check recommend generate version help" -f -a "recommend" -d 'Requests and limits from real usage (metrics sampled over a window, or VPA), and a quota'
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand help; and not __fish_seen_subcommand_from status check recommend generate version help" -f -a "generate" -d 'Write a ResourceQuota and LimitRange for a namespace from a profile; apply them with --apply'
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand help; and not __fish_seen_subcommand_from status check recommend generate version help" -f -a "version" -d 'Print the plugin\'s version, and the API server\'s version and context when reachable'
complete -c kubectl-quota -n "__fish_kubectl_quota_using_subcommand help; and not __fish_seen_subcommand_from status check recommend generate version help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
