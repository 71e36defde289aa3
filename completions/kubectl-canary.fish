# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_kubectl_canary_global_optspecs
    string join \n kubeconfig= context= cluster= user= n/namespace= as= as-group= as-uid= request-timeout= s/server= token= certificate-authority= client-certificate= client-key= tls-server-name= insecure-skip-tls-verify= v/verbose y/yes h/help V/version
end

function __fish_kubectl_canary_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_kubectl_canary_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_kubectl_canary_using_subcommand
    set -l cmd (__fish_kubectl_canary_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c kubectl-canary -n "__fish_kubectl_canary_needs_command" -l kubeconfig -d 'Path to the kubeconfig file to use, alone (KUBECONFIG is then ignored)' -r -F
complete -c kubectl-canary -n "__fish_kubectl_canary_needs_command" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_needs_command" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_needs_command" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_needs_command" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace, then `default`)' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_needs_command" -l as -d 'Username to impersonate for the operation' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_needs_command" -l as-group -d 'Group to impersonate for the operation; repeat it to specify several groups' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_needs_command" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_needs_command" -l request-timeout -d 'How long to wait for a single server request before giving up (`0` = no timeout), e.g. `5s`, `1m`' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_needs_command" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_needs_command" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_needs_command" -l certificate-authority -d 'Path to a PEM file of certificate authorities that sign the server\'s certificate' -r -F
complete -c kubectl-canary -n "__fish_kubectl_canary_needs_command" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-canary -n "__fish_kubectl_canary_needs_command" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-canary -n "__fish_kubectl_canary_needs_command" -l tls-server-name -d 'Server name to use for certificate validation (default: the server URL\'s host)' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_needs_command" -l insecure-skip-tls-verify -d 'Do not check the server certificate\'s validity: this makes HTTPS connections insecure' -r -f -a "true\t''
false\t''"
complete -c kubectl-canary -n "__fish_kubectl_canary_needs_command" -s v -l verbose -d 'Log what happens on stderr: `-v` for progress and API calls, `-vv` for debug detail'
complete -c kubectl-canary -n "__fish_kubectl_canary_needs_command" -s y -l yes -d 'Answer yes to every confirmation prompt (needed for destructive steps when stdin is not a terminal)'
complete -c kubectl-canary -n "__fish_kubectl_canary_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-canary -n "__fish_kubectl_canary_needs_command" -s V -l version -d 'Print version'
complete -c kubectl-canary -n "__fish_kubectl_canary_needs_command" -f -a "start" -d 'Start a canary release and drive it to promotion or rollback (blocks; resumable)'
complete -c kubectl-canary -n "__fish_kubectl_canary_needs_command" -f -a "status" -d 'Where canary runs stand: phase, step, weight, failed checks, last metric values'
complete -c kubectl-canary -n "__fish_kubectl_canary_needs_command" -f -a "resume" -d 'Continue a run whose CLI died, from its recorded step'
complete -c kubectl-canary -n "__fish_kubectl_canary_needs_command" -f -a "abort" -d 'Roll the canary back now (the primary is left untouched)'
complete -c kubectl-canary -n "__fish_kubectl_canary_needs_command" -f -a "promote" -d 'Promote the canary now (opens a manual gate; --skip-analysis promotes mid-analysis)'
complete -c kubectl-canary -n "__fish_kubectl_canary_needs_command" -f -a "history" -d 'Past releases of a Deployment with their result, duration and reason'
complete -c kubectl-canary -n "__fish_kubectl_canary_needs_command" -f -a "migrate" -d 'Apply a migration Job and wait for it; exit code follows the Job, logs shown on failure'
complete -c kubectl-canary -n "__fish_kubectl_canary_needs_command" -f -a "preflight" -d 'The pre-deployment checklist for a new image: ✓/✗ rows, exit 1 on a blocking one'
complete -c kubectl-canary -n "__fish_kubectl_canary_needs_command" -f -a "verify" -d 'Post-deployment verification: rollout, restarts, warning events, metrics over a window'
complete -c kubectl-canary -n "__fish_kubectl_canary_needs_command" -f -a "rollback" -d 'Roll the Deployment back: to the template recorded before the last canary, or a revision'
complete -c kubectl-canary -n "__fish_kubectl_canary_needs_command" -f -a "version" -d 'Print the plugin\'s version, and the API server\'s version and context when reachable'
complete -c kubectl-canary -n "__fish_kubectl_canary_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand start" -l image -d 'The new image: `IMAGE` (first container) or `CONTAINER=IMAGE`' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand start" -l strategy -d '`canary` (traffic shifted in steps) or `blue-green` (a full-size preview analysed, then the --active-service switched to it in one patch; --manual-gate keeps it waiting for `kubectl canary promote`, like Argo Rollouts\' autoPromotionEnabled: false)' -r -f -a "canary\t'Traffic shifted to the canary in steps'
blue-green\t'A full-size preview analysed, then the active Service switched to it'"
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand start" -l canary-name -d 'The canary Deployment\'s name (default `<deployment>-canary`; `<deployment>-preview` for blue-green), for when that name is taken by something that is not a canary of this Deployment: kubectl canary refuses to touch such an object' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand start" -l active-service -d 'For blue-green: the Service that carries production traffic' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand start" -l scale-down-delay -d 'For blue-green: how long the old version keeps running after the switch' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand start" -l traffic -d 'How traffic reaches the canary: `replicas` (no mesh: canary and primary pods in proportion to the weight behind the same Service, the total kept constant — with N replicas each canary pod is 100/N %, so small Deployments move in coarse steps), or `gateway-api:ROUTE[#RULE]` (the weights of an HTTPRoute rule\'s backendRefs: the primary Service and a canary Service; only that rule changes), `istio:VIRTUALSERVICE[#ROUTE]` (the weights of a VirtualService\'s http route, summing to 100), or `nginx:INGRESS` (a canary Ingress with NGINX\'s canary-weight annotation)' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand start" -l step-weight -d 'Weight added after each passing interval, percent' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand start" -l max-weight -d 'The weight at which the canary is promoted, percent' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand start" -l interval -d 'Time between checks' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand start" -l threshold -d 'Failed checks (cumulative over the run) that roll the canary back' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand start" -l metric -d 'A check and its bound: `request-success-rate:min=99`, `request-duration:max=500` (ms), or a --query name. Default: both built-ins with the playbook\'s bounds. Repeatable' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand start" -l query -d 'A custom check\'s PromQL (bound it with --metric NAME:…). Repeatable' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand start" -l analysis-file -d 'Checks and webhooks from a YAML file, added to the flags\': `metrics: [{name, query?, min?, max?}]`, `webhooks: [{type, url}]`' -r -F
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand start" -l provider -d 'Metric names the built-in checks use' -r -f -a "generic\t'`http_requests_total{namespace,pod,code}` and `http_request_duration_seconds`'
istio\t'Istio\'s telemetry: `istio_requests_total`, `istio_request_duration_milliseconds`'
nginx\t'ingress-nginx: `nginx_ingress_controller_requests`, `..._request_duration_seconds`'"
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand start" -l prometheus -d 'The Prometheus to query' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand start" -l on-no-data -d 'Checks without data: fail (count as failed), hold (keep the weight), or pass' -r -f -a "fail\t''
hold\t''
pass\t''"
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand start" -l webhook -d 'A webhook, Flagger-style: pre-rollout, rollout, confirm-promotion, post-rollout or rollback, with its URL. Repeatable' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand start" -l webhook-timeout -d 'How long a webhook may take to answer' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand start" -l runner-image -d 'The suite\'s container image, for --detach (see the Dockerfile)' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand start" -l timeout -d 'How long the primary\'s rollout may take at promotion' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand start" -s o -l output -d 'Output format: `table` for people, `wide` for more columns, `json`/`yaml` for scripts' -r -f -a "table\t'Columns for people (default)'
wide\t'The table with extra columns'
json\t'A JSON document with `apiVersion` and `kind`'
yaml\t'A YAML document with `apiVersion` and `kind`'"
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand start" -l kubeconfig -d 'Path to the kubeconfig file to use, alone (KUBECONFIG is then ignored)' -r -F
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand start" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand start" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand start" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand start" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace, then `default`)' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand start" -l as -d 'Username to impersonate for the operation' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand start" -l as-group -d 'Group to impersonate for the operation; repeat it to specify several groups' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand start" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand start" -l request-timeout -d 'How long to wait for a single server request before giving up (`0` = no timeout), e.g. `5s`, `1m`' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand start" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand start" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand start" -l certificate-authority -d 'Path to a PEM file of certificate authorities that sign the server\'s certificate' -r -F
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand start" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand start" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand start" -l tls-server-name -d 'Server name to use for certificate validation (default: the server URL\'s host)' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand start" -l insecure-skip-tls-verify -d 'Do not check the server certificate\'s validity: this makes HTTPS connections insecure' -r -f -a "true\t''
false\t''"
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand start" -l manual-gate -d 'Wait at the maximum weight for `kubectl canary promote`'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand start" -l detach -d 'Return at once and let a Job in the cluster drive the release (`kubectl canary resume` from the suite\'s image, with a ServiceAccount and a Role of its own)'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand start" -s v -l verbose -d 'Log what happens on stderr: `-v` for progress and API calls, `-vv` for debug detail'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand start" -s y -l yes -d 'Answer yes to every confirmation prompt (needed for destructive steps when stdin is not a terminal)'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand start" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand start" -s V -l version -d 'Print version'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand status" -s o -l output -d 'Output format: `table` for people, `wide` for more columns, `json`/`yaml` for scripts' -r -f -a "table\t'Columns for people (default)'
wide\t'The table with extra columns'
json\t'A JSON document with `apiVersion` and `kind`'
yaml\t'A YAML document with `apiVersion` and `kind`'"
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand status" -l kubeconfig -d 'Path to the kubeconfig file to use, alone (KUBECONFIG is then ignored)' -r -F
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand status" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand status" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand status" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand status" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace, then `default`)' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand status" -l as -d 'Username to impersonate for the operation' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand status" -l as-group -d 'Group to impersonate for the operation; repeat it to specify several groups' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand status" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand status" -l request-timeout -d 'How long to wait for a single server request before giving up (`0` = no timeout), e.g. `5s`, `1m`' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand status" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand status" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand status" -l certificate-authority -d 'Path to a PEM file of certificate authorities that sign the server\'s certificate' -r -F
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand status" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand status" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand status" -l tls-server-name -d 'Server name to use for certificate validation (default: the server URL\'s host)' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand status" -l insecure-skip-tls-verify -d 'Do not check the server certificate\'s validity: this makes HTTPS connections insecure' -r -f -a "true\t''
false\t''"
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand status" -s A -l all-namespaces -d 'Every namespace'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand status" -s w -l watch -d 'Keep watching: print again on every change, until every run shown has ended'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand status" -s v -l verbose -d 'Log what happens on stderr: `-v` for progress and API calls, `-vv` for debug detail'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand status" -s y -l yes -d 'Answer yes to every confirmation prompt (needed for destructive steps when stdin is not a terminal)'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand status" -s V -l version -d 'Print version'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand resume" -l kubeconfig -d 'Path to the kubeconfig file to use, alone (KUBECONFIG is then ignored)' -r -F
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand resume" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand resume" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand resume" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand resume" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace, then `default`)' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand resume" -l as -d 'Username to impersonate for the operation' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand resume" -l as-group -d 'Group to impersonate for the operation; repeat it to specify several groups' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand resume" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand resume" -l request-timeout -d 'How long to wait for a single server request before giving up (`0` = no timeout), e.g. `5s`, `1m`' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand resume" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand resume" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand resume" -l certificate-authority -d 'Path to a PEM file of certificate authorities that sign the server\'s certificate' -r -F
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand resume" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand resume" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand resume" -l tls-server-name -d 'Server name to use for certificate validation (default: the server URL\'s host)' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand resume" -l insecure-skip-tls-verify -d 'Do not check the server certificate\'s validity: this makes HTTPS connections insecure' -r -f -a "true\t''
false\t''"
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand resume" -s v -l verbose -d 'Log what happens on stderr: `-v` for progress and API calls, `-vv` for debug detail'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand resume" -s y -l yes -d 'Answer yes to every confirmation prompt (needed for destructive steps when stdin is not a terminal)'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand resume" -s h -l help -d 'Print help'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand resume" -s V -l version -d 'Print version'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand abort" -l kubeconfig -d 'Path to the kubeconfig file to use, alone (KUBECONFIG is then ignored)' -r -F
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand abort" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand abort" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand abort" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand abort" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace, then `default`)' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand abort" -l as -d 'Username to impersonate for the operation' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand abort" -l as-group -d 'Group to impersonate for the operation; repeat it to specify several groups' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand abort" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand abort" -l request-timeout -d 'How long to wait for a single server request before giving up (`0` = no timeout), e.g. `5s`, `1m`' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand abort" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand abort" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand abort" -l certificate-authority -d 'Path to a PEM file of certificate authorities that sign the server\'s certificate' -r -F
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand abort" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand abort" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand abort" -l tls-server-name -d 'Server name to use for certificate validation (default: the server URL\'s host)' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand abort" -l insecure-skip-tls-verify -d 'Do not check the server certificate\'s validity: this makes HTTPS connections insecure' -r -f -a "true\t''
false\t''"
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand abort" -s v -l verbose -d 'Log what happens on stderr: `-v` for progress and API calls, `-vv` for debug detail'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand abort" -s y -l yes -d 'Answer yes to every confirmation prompt (needed for destructive steps when stdin is not a terminal)'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand abort" -s h -l help -d 'Print help'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand abort" -s V -l version -d 'Print version'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand promote" -l kubeconfig -d 'Path to the kubeconfig file to use, alone (KUBECONFIG is then ignored)' -r -F
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand promote" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand promote" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand promote" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand promote" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace, then `default`)' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand promote" -l as -d 'Username to impersonate for the operation' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand promote" -l as-group -d 'Group to impersonate for the operation; repeat it to specify several groups' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand promote" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand promote" -l request-timeout -d 'How long to wait for a single server request before giving up (`0` = no timeout), e.g. `5s`, `1m`' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand promote" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand promote" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand promote" -l certificate-authority -d 'Path to a PEM file of certificate authorities that sign the server\'s certificate' -r -F
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand promote" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand promote" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand promote" -l tls-server-name -d 'Server name to use for certificate validation (default: the server URL\'s host)' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand promote" -l insecure-skip-tls-verify -d 'Do not check the server certificate\'s validity: this makes HTTPS connections insecure' -r -f -a "true\t''
false\t''"
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand promote" -l skip-analysis -d 'Promote even though the analysis has not finished (the emergency path)'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand promote" -s v -l verbose -d 'Log what happens on stderr: `-v` for progress and API calls, `-vv` for debug detail'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand promote" -s y -l yes -d 'Answer yes to every confirmation prompt (needed for destructive steps when stdin is not a terminal)'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand promote" -s h -l help -d 'Print help'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand promote" -s V -l version -d 'Print version'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand history" -l kubeconfig -d 'Path to the kubeconfig file to use, alone (KUBECONFIG is then ignored)' -r -F
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand history" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand history" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand history" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand history" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace, then `default`)' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand history" -l as -d 'Username to impersonate for the operation' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand history" -l as-group -d 'Group to impersonate for the operation; repeat it to specify several groups' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand history" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand history" -l request-timeout -d 'How long to wait for a single server request before giving up (`0` = no timeout), e.g. `5s`, `1m`' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand history" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand history" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand history" -l certificate-authority -d 'Path to a PEM file of certificate authorities that sign the server\'s certificate' -r -F
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand history" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand history" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand history" -l tls-server-name -d 'Server name to use for certificate validation (default: the server URL\'s host)' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand history" -l insecure-skip-tls-verify -d 'Do not check the server certificate\'s validity: this makes HTTPS connections insecure' -r -f -a "true\t''
false\t''"
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand history" -s v -l verbose -d 'Log what happens on stderr: `-v` for progress and API calls, `-vv` for debug detail'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand history" -s y -l yes -d 'Answer yes to every confirmation prompt (needed for destructive steps when stdin is not a terminal)'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand history" -s h -l help -d 'Print help'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand history" -s V -l version -d 'Print version'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand migrate" -s f -l filename -d 'The migration Job\'s manifest' -r -F
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand migrate" -l timeout -d 'How long the Job may take' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand migrate" -l kubeconfig -d 'Path to the kubeconfig file to use, alone (KUBECONFIG is then ignored)' -r -F
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand migrate" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand migrate" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand migrate" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand migrate" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace, then `default`)' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand migrate" -l as -d 'Username to impersonate for the operation' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand migrate" -l as-group -d 'Group to impersonate for the operation; repeat it to specify several groups' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand migrate" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand migrate" -l request-timeout -d 'How long to wait for a single server request before giving up (`0` = no timeout), e.g. `5s`, `1m`' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand migrate" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand migrate" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand migrate" -l certificate-authority -d 'Path to a PEM file of certificate authorities that sign the server\'s certificate' -r -F
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand migrate" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand migrate" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand migrate" -l tls-server-name -d 'Server name to use for certificate validation (default: the server URL\'s host)' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand migrate" -l insecure-skip-tls-verify -d 'Do not check the server certificate\'s validity: this makes HTTPS connections insecure' -r -f -a "true\t''
false\t''"
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand migrate" -s v -l verbose -d 'Log what happens on stderr: `-v` for progress and API calls, `-vv` for debug detail'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand migrate" -s y -l yes -d 'Answer yes to every confirmation prompt (needed for destructive steps when stdin is not a terminal)'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand migrate" -s h -l help -d 'Print help'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand migrate" -s V -l version -d 'Print version'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand preflight" -l image -d 'The image about to be released: `IMAGE` or `CONTAINER=IMAGE`' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand preflight" -l max-weight -d 'The maximum weight the canary will reach (decides how many canary pods need quota)' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand preflight" -l metric -d 'A check and its bound (as for `start`); default: the built-in success rate and latency' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand preflight" -l query -d 'A custom check\'s PromQL' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand preflight" -l provider -d 'Metric names the built-in checks use' -r -f -a "generic\t'`http_requests_total{namespace,pod,code}` and `http_request_duration_seconds`'
istio\t'Istio\'s telemetry: `istio_requests_total`, `istio_request_duration_milliseconds`'
nginx\t'ingress-nginx: `nginx_ingress_controller_requests`, `..._request_duration_seconds`'"
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand preflight" -l prometheus -d 'The Prometheus to query' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand preflight" -s o -l output -d 'Output format: `table` for people, `wide` for more columns, `json`/`yaml` for scripts' -r -f -a "table\t'Columns for people (default)'
wide\t'The table with extra columns'
json\t'A JSON document with `apiVersion` and `kind`'
yaml\t'A YAML document with `apiVersion` and `kind`'"
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand preflight" -l kubeconfig -d 'Path to the kubeconfig file to use, alone (KUBECONFIG is then ignored)' -r -F
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand preflight" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand preflight" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand preflight" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand preflight" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace, then `default`)' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand preflight" -l as -d 'Username to impersonate for the operation' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand preflight" -l as-group -d 'Group to impersonate for the operation; repeat it to specify several groups' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand preflight" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand preflight" -l request-timeout -d 'How long to wait for a single server request before giving up (`0` = no timeout), e.g. `5s`, `1m`' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand preflight" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand preflight" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand preflight" -l certificate-authority -d 'Path to a PEM file of certificate authorities that sign the server\'s certificate' -r -F
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand preflight" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand preflight" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand preflight" -l tls-server-name -d 'Server name to use for certificate validation (default: the server URL\'s host)' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand preflight" -l insecure-skip-tls-verify -d 'Do not check the server certificate\'s validity: this makes HTTPS connections insecure' -r -f -a "true\t''
false\t''"
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand preflight" -s v -l verbose -d 'Log what happens on stderr: `-v` for progress and API calls, `-vv` for debug detail'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand preflight" -s y -l yes -d 'Answer yes to every confirmation prompt (needed for destructive steps when stdin is not a terminal)'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand preflight" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand preflight" -s V -l version -d 'Print version'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand verify" -l window -d 'How far back the metrics are judged' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand verify" -l metric -d 'A check and its bound (as for `start`); default: the built-in success rate and latency' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand verify" -l query -d 'A custom check\'s PromQL' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand verify" -l provider -d 'Metric names the built-in checks use' -r -f -a "generic\t'`http_requests_total{namespace,pod,code}` and `http_request_duration_seconds`'
istio\t'Istio\'s telemetry: `istio_requests_total`, `istio_request_duration_milliseconds`'
nginx\t'ingress-nginx: `nginx_ingress_controller_requests`, `..._request_duration_seconds`'"
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand verify" -l prometheus -d 'The Prometheus to query' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand verify" -s o -l output -d 'Output format: `table` for people, `wide` for more columns, `json`/`yaml` for scripts' -r -f -a "table\t'Columns for people (default)'
wide\t'The table with extra columns'
json\t'A JSON document with `apiVersion` and `kind`'
yaml\t'A YAML document with `apiVersion` and `kind`'"
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand verify" -l kubeconfig -d 'Path to the kubeconfig file to use, alone (KUBECONFIG is then ignored)' -r -F
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand verify" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand verify" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand verify" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand verify" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace, then `default`)' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand verify" -l as -d 'Username to impersonate for the operation' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand verify" -l as-group -d 'Group to impersonate for the operation; repeat it to specify several groups' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand verify" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand verify" -l request-timeout -d 'How long to wait for a single server request before giving up (`0` = no timeout), e.g. `5s`, `1m`' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand verify" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand verify" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand verify" -l certificate-authority -d 'Path to a PEM file of certificate authorities that sign the server\'s certificate' -r -F
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand verify" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand verify" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand verify" -l tls-server-name -d 'Server name to use for certificate validation (default: the server URL\'s host)' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand verify" -l insecure-skip-tls-verify -d 'Do not check the server certificate\'s validity: this makes HTTPS connections insecure' -r -f -a "true\t''
false\t''"
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand verify" -s v -l verbose -d 'Log what happens on stderr: `-v` for progress and API calls, `-vv` for debug detail'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand verify" -s y -l yes -d 'Answer yes to every confirmation prompt (needed for destructive steps when stdin is not a terminal)'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand verify" -s V -l version -d 'Print version'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand rollback" -l to-revision -d 'The ReplicaSet revision to return to (default: the template recorded before the last canary, or else the previous revision, as `kubectl rollout undo`)' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand rollback" -l timeout -d 'How long the rollout may take' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand rollback" -l kubeconfig -d 'Path to the kubeconfig file to use, alone (KUBECONFIG is then ignored)' -r -F
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand rollback" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand rollback" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand rollback" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand rollback" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace, then `default`)' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand rollback" -l as -d 'Username to impersonate for the operation' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand rollback" -l as-group -d 'Group to impersonate for the operation; repeat it to specify several groups' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand rollback" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand rollback" -l request-timeout -d 'How long to wait for a single server request before giving up (`0` = no timeout), e.g. `5s`, `1m`' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand rollback" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand rollback" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand rollback" -l certificate-authority -d 'Path to a PEM file of certificate authorities that sign the server\'s certificate' -r -F
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand rollback" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand rollback" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand rollback" -l tls-server-name -d 'Server name to use for certificate validation (default: the server URL\'s host)' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand rollback" -l insecure-skip-tls-verify -d 'Do not check the server certificate\'s validity: this makes HTTPS connections insecure' -r -f -a "true\t''
false\t''"
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand rollback" -s v -l verbose -d 'Log what happens on stderr: `-v` for progress and API calls, `-vv` for debug detail'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand rollback" -s y -l yes -d 'Answer yes to every confirmation prompt (needed for destructive steps when stdin is not a terminal)'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand rollback" -s h -l help -d 'Print help'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand rollback" -s V -l version -d 'Print version'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand version" -s o -l output -d 'Output format: `table` for people, `wide` for more columns, `json`/`yaml` for scripts' -r -f -a "table\t'Columns for people (default)'
wide\t'The table with extra columns'
json\t'A JSON document with `apiVersion` and `kind`'
yaml\t'A YAML document with `apiVersion` and `kind`'"
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand version" -l kubeconfig -d 'Path to the kubeconfig file to use, alone (KUBECONFIG is then ignored)' -r -F
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand version" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand version" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand version" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand version" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace, then `default`)' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand version" -l as -d 'Username to impersonate for the operation' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand version" -l as-group -d 'Group to impersonate for the operation; repeat it to specify several groups' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand version" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand version" -l request-timeout -d 'How long to wait for a single server request before giving up (`0` = no timeout), e.g. `5s`, `1m`' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand version" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand version" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand version" -l certificate-authority -d 'Path to a PEM file of certificate authorities that sign the server\'s certificate' -r -F
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand version" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand version" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand version" -l tls-server-name -d 'Server name to use for certificate validation (default: the server URL\'s host)' -r
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand version" -l insecure-skip-tls-verify -d 'Do not check the server certificate\'s validity: this makes HTTPS connections insecure' -r -f -a "true\t''
false\t''"
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand version" -l client -d 'Print only the client version; do not contact the cluster'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand version" -s v -l verbose -d 'Log what happens on stderr: `-v` for progress and API calls, `-vv` for debug detail'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand version" -s y -l yes -d 'Answer yes to every confirmation prompt (needed for destructive steps when stdin is not a terminal)'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand version" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand version" -s V -l version -d 'Print version'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand help; and not __fish_seen_subcommand_from start status resume abort promote history migrate preflight verify rollback version help" -f -a "start" -d 'Start a canary release and drive it to promotion or rollback (blocks; resumable)'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand help; and not __fish_seen_subcommand_from start status resume abort promote history migrate preflight verify rollback version help" -f -a "status" -d 'Where canary runs stand: phase, step, weight, failed checks, last metric values'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand help; and not __fish_seen_subcommand_from start status resume abort promote history migrate preflight verify rollback version help" -f -a "resume" -d 'Continue a run whose CLI died, from its recorded step'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand help; and not __fish_seen_subcommand_from start status resume abort promote history migrate preflight verify rollback version help" -f -a "abort" -d 'Roll the canary back now (the primary is left untouched)'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand help; and not __fish_seen_subcommand_from start status resume abort promote history migrate preflight verify rollback version help" -f -a "promote" -d 'Promote the canary now (opens a manual gate; --skip-analysis promotes mid-analysis)'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand help; and not __fish_seen_subcommand_from start status resume abort promote history migrate preflight verify rollback version help" -f -a "history" -d 'Past releases of a Deployment with their result, duration and reason'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand help; and not __fish_seen_subcommand_from start status resume abort promote history migrate preflight verify rollback version help" -f -a "migrate" -d 'Apply a migration Job and wait for it; exit code follows the Job, logs shown on failure'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand help; and not __fish_seen_subcommand_from start status resume abort promote history migrate preflight verify rollback version help" -f -a "preflight" -d 'The pre-deployment checklist for a new image: ✓/✗ rows, exit 1 on a blocking one'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand help; and not __fish_seen_subcommand_from start status resume abort promote history migrate preflight verify rollback version help" -f -a "verify" -d 'Post-deployment verification: rollout, restarts, warning events, metrics over a window'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand help; and not __fish_seen_subcommand_from start status resume abort promote history migrate preflight verify rollback version help" -f -a "rollback" -d 'Roll the Deployment back: to the template recorded before the last canary, or a revision'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand help; and not __fish_seen_subcommand_from start status resume abort promote history migrate preflight verify rollback version help" -f -a "version" -d 'Print the plugin\'s version, and the API server\'s version and context when reachable'
complete -c kubectl-canary -n "__fish_kubectl_canary_using_subcommand help; and not __fish_seen_subcommand_from start status resume abort promote history migrate preflight verify rollback version help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
