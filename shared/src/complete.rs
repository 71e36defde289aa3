//! The `kubectl_complete-<plugin>` helpers: kubectl's plugin completion protocol (kubectl ≥ 1.26).
//!
//! With kubectl's own completion loaded, `kubectl harden au<TAB>` makes kubectl run
//! `kubectl_complete-harden au`: the plugin's words without the plugin name, the word being
//! completed last (possibly empty). The helper prints one candidate per line, `value<TAB>description`,
//! then a `:<directive>` line (cobra's `ShellCompDirective` bits), and exits 0. It must stay silent on
//! stderr.
//!
//! [`complete`] walks the plugin's clap [`Command`] tree — subcommands, flags, positionals, value
//! enums — so nothing is listed by hand. Values that live in the cluster come from a per-plugin
//! hook ([`ValuesFn`]) that says *what* to list ([`Values`]); [`main`] then lists it with the
//! `--kubeconfig`, `--context`, `-n`, … typed earlier on the line, under a short deadline, and
//! prints nothing (still exit 0) when the cluster cannot be reached. Built in for every plugin:
//! namespaces for `-n/--namespace` and any other `NAMESPACE` value, and kubeconfig contexts for
//! `--context` and `--contexts`.

use std::ffi::OsString;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Arg, ArgAction, Command, ValueHint};
use kube::core::ApiResource;

use crate::client::{Kube, Plugin};
use crate::flags::KubeFlags;

/// cobra's `ShellCompDirectiveDefault`: the shell may fall back to file names.
pub const DIRECTIVE_DEFAULT: u32 = 0;
/// cobra's `ShellCompDirectiveNoFileComp`: no file names.
pub const DIRECTIVE_NO_FILE: u32 = 4;
/// cobra's `ShellCompDirectiveFilterDirs`: directories only.
pub const DIRECTIVE_DIRS: u32 = 16;

/// How long a live lookup may take in all before the helper gives up silently.
pub const LOOKUP_DEADLINE: Duration = Duration::from_secs(3);
/// The per-request timeout of live lookups, unless `--request-timeout` asks for less.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(2);

/// One completion candidate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// What is inserted.
    pub value: String,
    /// Shown beside it (first line only).
    pub help: Option<String>,
}

impl Candidate {
    /// A candidate with an optional description.
    pub fn new(value: impl Into<String>, help: Option<String>) -> Self {
        Self {
            value: value.into(),
            help,
        }
    }
}

/// What a value can be, as a plugin's hook (or the built-in rules) says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Values {
    /// These, whatever the cluster says.
    Fixed(Vec<Candidate>),
    /// The names of the namespaces.
    Namespaces,
    /// The contexts of the kubeconfig (no cluster contact).
    Contexts,
    /// The names of a namespaced resource's objects: in `namespace`, else in the namespace of the
    /// line (`-n`, else the context's, else `default`).
    Names {
        resource: ApiResource,
        namespace: Option<String>,
    },
}

/// What a plugin's hook is asked: which value of which command is being completed, and what the
/// line said so far.
#[derive(Debug)]
pub struct Request<'a> {
    /// The subcommand path: `["audit"]`, `["status"]`.
    pub path: &'a [String],
    /// The argument whose value is completed (a flag or a positional).
    pub arg: &'a Arg,
    /// The flags and positionals given before the word being completed.
    pub given: &'a Given,
}

impl Request<'_> {
    /// The argument's id: the field name of the clap derive (`deployment`, `velero_namespace`).
    pub fn id(&self) -> &str {
        self.arg.get_id().as_str()
    }
}

/// A plugin's hook: the values of the arguments only the plugin knows about, `None` for the rest.
pub type ValuesFn = fn(&Request<'_>) -> Option<Values>;

/// The hook of a plugin without plugin-specific values.
pub fn no_values(_: &Request<'_>) -> Option<Values> {
    None
}

/// The values given on the line so far, by argument id, in order.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Given {
    values: Vec<(String, String)>,
}

impl Given {
    /// The last value given for an argument id.
    pub fn value(&self, id: &str) -> Option<&str> {
        self.values
            .iter()
            .rev()
            .find(|(given, _)| given == id)
            .map(|(_, value)| value.as_str())
    }

    fn contains(&self, id: &str) -> bool {
        self.values.iter().any(|(given, _)| given == id)
    }

    fn push(&mut self, arg: &Arg, value: impl Into<String>) {
        self.values
            .push((arg.get_id().as_str().to_owned(), value.into()));
    }

    /// kubectl's connection flags as given on the line (`--context`, `-n`, `--kubeconfig`, …).
    pub fn kube_flags(&self) -> KubeFlags {
        use clap::{Args, FromArgMatches};
        let flags = KubeFlags::augment_args(Command::new("flags").no_binary_name(true));
        let mut argv: Vec<String> = Vec::new();
        for (id, value) in &self.values {
            if let Some(arg) = flags.get_arguments().find(|a| a.get_id() == id)
                && let Some(long) = arg.get_long()
            {
                argv.push(format!("--{long}={value}"));
            }
        }
        flags
            .try_get_matches_from(argv)
            .ok()
            .and_then(|matches| KubeFlags::from_arg_matches(&matches).ok())
            .unwrap_or_default()
    }
}

/// What to answer for the word being completed, before any cluster lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Candidates known without the cluster, already filtered by the word.
    pub candidates: Vec<Candidate>,
    /// Values to look up, then filter by `word` and prefix with `prefix`.
    pub lookup: Option<Values>,
    /// Prepended to looked-up values: `--context=` when completing `--context=sta`, `a,` in a
    /// comma-separated list.
    pub prefix: String,
    /// The part of the value typed so far (without `prefix`).
    pub word: String,
    /// The directive to end with.
    pub directive: u32,
    /// The flags given before the word.
    pub given: Given,
}

/// Plans the completion of `args` (the plugin's words; the last one is being completed) against
/// the plugin's command tree.
pub fn complete(cmd: &Command, args: &[String], hook: ValuesFn) -> Plan {
    let mut root = cmd.clone();
    root.build();
    let (current, done) = match args.split_last() {
        Some((current, done)) => (current.as_str(), done),
        None => ("", &[][..]),
    };
    let mut cmd = &root;
    let mut path: Vec<String> = Vec::new();
    let mut given = Given::default();
    let mut pending: Option<&Arg> = None;
    let mut positional = 0usize;
    let mut only_positionals = false;
    for word in done {
        if let Some(arg) = pending.take() {
            given.push(arg, word.as_str());
            continue;
        }
        if !only_positionals && word == "--" {
            only_positionals = true;
            continue;
        }
        if !only_positionals && let Some(flag) = word.strip_prefix("--") {
            let (name, value) = match flag.split_once('=') {
                Some((name, value)) => (name, Some(value)),
                None => (flag, None),
            };
            if let Some(arg) = cmd.get_arguments().find(|a| a.get_long() == Some(name)) {
                match value {
                    Some(value) => given.push(arg, value),
                    None if takes_separate_value(arg) => pending = Some(arg),
                    None => given.push(arg, "true"),
                }
            }
            continue;
        }
        if !only_positionals && word.len() > 1 && word.starts_with('-') {
            pending = shorts(cmd, &word[1..], &mut given);
            continue;
        }
        if !only_positionals
            && positional == 0
            && let Some(sub) = cmd.find_subcommand(word)
        {
            cmd = sub;
            path.push(sub.get_name().to_owned());
            continue;
        }
        if let Some(arg) = positional_at(cmd, positional) {
            given.push(arg, word.as_str());
        }
        positional += 1;
    }

    let mut plan = Plan {
        candidates: Vec::new(),
        lookup: None,
        prefix: String::new(),
        word: current.to_owned(),
        directive: DIRECTIVE_NO_FILE,
        given: given.clone(),
    };
    if let Some(arg) = pending {
        value_plan(&mut plan, &path, arg, "", current, hook);
        return plan;
    }
    if !only_positionals && current.starts_with('-') {
        if let Some((name, value)) = current
            .strip_prefix("--")
            .and_then(|flag| flag.split_once('='))
        {
            if let Some(arg) = cmd.get_arguments().find(|a| a.get_long() == Some(name)) {
                value_plan(&mut plan, &path, arg, &format!("--{name}="), value, hook);
            }
            return plan;
        }
        plan.candidates = flags(cmd, &given, current);
        return plan;
    }
    if !only_positionals && positional == 0 && cmd.has_subcommands() {
        plan.candidates = cmd
            .get_subcommands()
            .filter(|sub| !sub.is_hide_set() && sub.get_name() != "help")
            .filter(|sub| sub.get_name().starts_with(current))
            .map(|sub| Candidate::new(sub.get_name(), sub.get_about().map(first_line)))
            .collect();
        if positional_at(cmd, 0).is_none() {
            return plan;
        }
    }
    if let Some(arg) = positional_at(cmd, positional) {
        let subcommands = std::mem::take(&mut plan.candidates);
        value_plan(&mut plan, &path, arg, "", current, hook);
        plan.candidates.splice(0..0, subcommands);
    }
    plan
}

/// Whether `--flag value` (rather than only `--flag=value`) gives the flag a value.
fn takes_separate_value(arg: &Arg) -> bool {
    let takes =
        arg.get_action().takes_values() && arg.get_num_args().is_some_and(|n| n.min_values() > 0);
    takes && !arg.is_require_equals_set()
}

/// A cluster of short flags (`-vv`, `-nprod`, `-n`): records them, and returns the flag still
/// waiting for its value in the next word.
fn shorts<'c>(cmd: &'c Command, cluster: &str, given: &mut Given) -> Option<&'c Arg> {
    for (at, short) in cluster.char_indices() {
        let arg = cmd.get_arguments().find(|a| a.get_short() == Some(short))?;
        if arg.get_action().takes_values() {
            let rest = &cluster[at + short.len_utf8()..];
            let rest = rest.strip_prefix('=').unwrap_or(rest);
            if rest.is_empty() {
                return takes_separate_value(arg).then_some(arg);
            }
            given.push(arg, rest);
            return None;
        }
        given.push(arg, "true");
    }
    None
}

/// The positional argument at `index`, the last one taking every remaining word.
fn positional_at(cmd: &Command, index: usize) -> Option<&Arg> {
    let mut positionals: Vec<&Arg> = cmd.get_positionals().collect();
    positionals.sort_by_key(|a| a.get_index());
    positionals.get(index).copied().or_else(|| {
        positionals
            .last()
            .copied()
            .filter(|a| a.get_num_args().is_some_and(|n| n.max_values() > 1))
    })
}

/// The flags of a command that can still be given, matching the word typed.
fn flags(cmd: &Command, given: &Given, word: &str) -> Vec<Candidate> {
    let mut candidates = Vec::new();
    for arg in cmd.get_arguments() {
        if arg.is_hide_set() || arg.is_positional() {
            continue;
        }
        let repeatable = matches!(arg.get_action(), ArgAction::Append | ArgAction::Count);
        if given.contains(arg.get_id().as_str()) && !repeatable {
            continue;
        }
        let help = arg.get_help().map(first_line);
        let mut names: Vec<String> = arg
            .get_long_and_visible_aliases()
            .into_iter()
            .flatten()
            .map(|long| format!("--{long}"))
            .collect();
        names.extend(arg.get_short().map(|short| format!("-{short}")));
        for name in names {
            if name.starts_with(word) {
                candidates.push(Candidate::new(name, help.clone()));
            }
        }
    }
    candidates
}

/// Plans the value of `arg`, typed so far as `word`.
fn value_plan(
    plan: &mut Plan,
    path: &[String],
    arg: &Arg,
    prefix: &str,
    word: &str,
    hook: ValuesFn,
) {
    // A comma-separated list completes its last item.
    let (prefix, word) = match (arg.get_value_delimiter(), word.rfind(',')) {
        (Some(','), Some(at)) => (format!("{prefix}{}", &word[..=at]), &word[at + 1..]),
        _ => (prefix.to_owned(), word),
    };
    plan.prefix = prefix;
    plan.word = word.to_owned();
    let request = Request {
        path,
        arg,
        given: &plan.given,
    };
    match hook(&request).or_else(|| builtin(arg)) {
        Some(Values::Fixed(candidates)) => {
            plan.candidates = finish(candidates, &plan.prefix, &plan.word);
        }
        Some(lookup) => plan.lookup = Some(lookup),
        None => {
            plan.directive = match arg.get_value_hint() {
                ValueHint::DirPath => DIRECTIVE_DIRS,
                ValueHint::AnyPath | ValueHint::FilePath | ValueHint::ExecutablePath => {
                    DIRECTIVE_DEFAULT
                }
                _ if is_path_like(arg) => DIRECTIVE_DEFAULT,
                _ => DIRECTIVE_NO_FILE,
            };
        }
    }
}

/// Value names that ask for a file or directory: `FILE`, `DIR`, `FILE|DIR|-`, `PATH`.
fn is_path_like(arg: &Arg) -> bool {
    arg.get_value_names().into_iter().flatten().any(|name| {
        name.split(['|', '_', '-'])
            .any(|part| matches!(part, "FILE" | "DIR" | "PATH"))
    })
}

/// The values every plugin completes the same way: namespaces, contexts, enums.
fn builtin(arg: &Arg) -> Option<Values> {
    let id = arg.get_id().as_str();
    let value_name = arg
        .get_value_names()
        .and_then(|names| names.first())
        .map(|name| name.as_str());
    if id == "namespace" || value_name == Some("NAMESPACE") {
        return Some(Values::Namespaces);
    }
    if id == "context" || id == "contexts" {
        return Some(Values::Contexts);
    }
    let possible: Vec<Candidate> = arg
        .get_possible_values()
        .into_iter()
        .filter(|value| !value.is_hide_set())
        .map(|value| Candidate::new(value.get_name(), value.get_help().map(first_line)))
        .collect();
    (!possible.is_empty()).then_some(Values::Fixed(possible))
}

/// Keeps the candidates that start with `word`, with `prefix` in front.
fn finish(candidates: Vec<Candidate>, prefix: &str, word: &str) -> Vec<Candidate> {
    candidates
        .into_iter()
        .filter(|c| c.value.starts_with(word))
        .map(|c| Candidate::new(format!("{prefix}{}", c.value), c.help))
        .collect()
}

fn first_line(text: &clap::builder::StyledStr) -> String {
    let text = text.to_string();
    let line = text.lines().next().unwrap_or_default();
    line.strip_suffix('.').unwrap_or(line).to_owned()
}

/// Lists what a plan asks for from the cluster (or the kubeconfig), within [`LOOKUP_DEADLINE`];
/// any failure is an empty list.
pub async fn look_up(values: &Values, given: &Given, plugin: Plugin) -> Vec<Candidate> {
    let mut flags = given.kube_flags();
    flags.request_timeout = Some(
        flags
            .request_timeout
            .filter(|t| !t.is_zero() && *t < REQUEST_TIMEOUT)
            .unwrap_or(REQUEST_TIMEOUT),
    );
    let lookup = async {
        match values {
            Values::Fixed(candidates) => Ok(candidates.clone()),
            Values::Contexts => crate::client::contexts(&flags)
                .map(|names| names.into_iter().map(|n| Candidate::new(n, None)).collect())
                .map_err(|_| ()),
            Values::Namespaces => {
                let kube = Kube::connect(&flags, plugin).await.map_err(|_| ())?;
                let namespaces = ApiResource::erase::<k8s_openapi::api::core::v1::Namespace>(&());
                let list = crate::list::list(&kube, &namespaces, None, None).await;
                Ok(names(&list.map_err(|_| ())?))
            }
            Values::Names {
                resource,
                namespace,
            } => {
                let kube = Kube::connect(&flags, plugin).await.map_err(|_| ())?;
                let namespace = namespace.as_deref().unwrap_or(&kube.namespace);
                let list = crate::list::list(&kube, resource, Some(namespace), None).await;
                Ok(names(&list.map_err(|_| ())?))
            }
        }
    };
    match tokio::time::timeout(LOOKUP_DEADLINE, lookup).await {
        Ok(Ok(candidates)) => candidates,
        _ => Vec::new(),
    }
}

fn names(objects: &[serde_json::Value]) -> Vec<Candidate> {
    let mut names: Vec<String> = objects
        .iter()
        .filter_map(|o| o["metadata"]["name"].as_str().map(str::to_owned))
        .collect();
    names.sort();
    names.into_iter().map(|n| Candidate::new(n, None)).collect()
}

/// The lines kubectl expects: `value<TAB>help` per candidate, then `:<directive>`.
pub fn render(candidates: &[Candidate], directive: u32) -> String {
    let mut text = String::new();
    for candidate in candidates {
        // A value or description with a line break would read as two candidates.
        let value = candidate.value.replace(['\n', '\t'], " ");
        text.push_str(&value);
        if let Some(help) = candidate.help.as_deref().filter(|h| !h.is_empty()) {
            text.push('\t');
            text.push_str(&help.replace(['\n', '\t'], " "));
        }
        text.push('\n');
    }
    text.push_str(&format!(":{directive}\n"));
    text
}

/// The whole `kubectl_complete-<plugin>` process: plan from the arguments, look up live values on a
/// small runtime, print, exit 0. Never writes to stderr.
pub fn main(plugin: Plugin, cmd: Command, hook: ValuesFn) -> ExitCode {
    let args: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|arg: OsString| arg.to_string_lossy().into_owned())
        .collect();
    let plan = complete(&cmd, &args, hook);
    let mut candidates = plan.candidates;
    if let Some(values) = &plan.lookup {
        let found = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(runtime) => {
                let found = runtime.block_on(look_up(values, &plan.given, plugin));
                runtime.shutdown_background();
                found
            }
            Err(_) => Vec::new(),
        };
        candidates.extend(finish(found, &plan.prefix, &plan.word));
    }
    let text = render(&candidates, plan.directive);
    // A closed stdout is the shell's business, not ours.
    let _ = std::io::Write::write_all(&mut std::io::stdout().lock(), text.as_bytes());
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{CommandFactory, Parser};

    #[derive(Parser)]
    #[command(name = "kubectl test", subcommand_required = true)]
    struct Cli {
        #[command(flatten)]
        global: crate::GlobalArgs,
        #[command(subcommand)]
        command: Sub,
    }

    #[derive(clap::Subcommand)]
    enum Sub {
        /// Audit things.
        Audit {
            /// A manifest.
            #[arg(short = 'f', long = "filename", value_name = "FILE|DIR|-")]
            files: Vec<String>,
            /// Checks to skip.
            #[arg(long, value_delimiter = ',', value_name = "CHECK")]
            disable: Vec<String>,
            #[command(flatten)]
            output: crate::OutputArg,
            /// Several clusters.
            #[command(flatten)]
            clusters: crate::ContextArgs,
        },
        /// Show a deployment.
        Status {
            /// The deployment.
            deployment: Option<String>,
            /// Where Velero runs.
            #[arg(long = "velero-namespace", default_value = "velero")]
            velero_namespace: String,
            /// A directory.
            #[arg(long, value_hint = ValueHint::DirPath)]
            dir: Option<std::path::PathBuf>,
        },
        #[command(hide = true)]
        Secret,
    }

    fn hook(request: &Request<'_>) -> Option<Values> {
        match (request.path, request.id()) {
            ([sub], "disable") if sub == "audit" => Some(Values::Fixed(vec![
                Candidate::new("image-latest", Some("Image uses latest".into())),
                Candidate::new("pdb-missing", None),
            ])),
            (_, "deployment") => Some(Values::Names {
                resource: ApiResource::erase::<k8s_openapi::api::apps::v1::Deployment>(&()),
                namespace: request.given.value("velero_namespace").map(str::to_owned),
            }),
            _ => None,
        }
    }

    fn plan(line: &[&str]) -> Plan {
        let args: Vec<String> = line.iter().map(|s| s.to_string()).collect();
        complete(&Cli::command(), &args, hook)
    }

    fn values(plan: &Plan) -> Vec<&str> {
        plan.candidates.iter().map(|c| c.value.as_str()).collect()
    }

    #[test]
    fn subcommands_first_with_their_about_and_without_hidden_or_help() {
        let plan = plan(&[""]);
        assert_eq!(values(&plan), ["audit", "status"]);
        assert_eq!(plan.candidates[0].help.as_deref(), Some("Audit things"));
        assert_eq!(plan.directive, DIRECTIVE_NO_FILE);
        assert_eq!(values(&self::plan(&["st"])), ["status"]);
    }

    #[test]
    fn global_flags_before_the_subcommand_are_skipped_with_their_values() {
        let plan = plan(&["-n", "prod", "--context", "staging", "au"]);
        assert_eq!(values(&plan), ["audit"]);
        assert_eq!(plan.given.value("namespace"), Some("prod"));
        assert_eq!(plan.given.value("context"), Some("staging"));
    }

    #[test]
    fn flags_of_the_subcommand_including_globals_and_not_those_given() {
        let plan = plan(&["audit", "-o", "json", "--"]);
        let flags = values(&plan);
        assert!(flags.contains(&"--filename"), "{flags:?}");
        assert!(flags.contains(&"--namespace"), "{flags:?}");
        assert!(!flags.contains(&"--output"), "given already: {flags:?}");
        assert!(!flags.contains(&"-f"), "-- filters shorts: {flags:?}");
        let plan = self::plan(&["audit", "-f", "a.yaml", "--fil"]);
        assert_eq!(values(&plan), ["--filename"], "repeatable");
        assert_eq!(plan.candidates[0].help.as_deref(), Some("A manifest"));
    }

    #[test]
    fn enum_values_after_a_flag_in_every_spelling() {
        assert_eq!(
            values(&plan(&["audit", "-o", "j"])),
            ["json"],
            "separate value"
        );
        assert_eq!(values(&plan(&["audit", "--output=y"])), ["--output=yaml"]);
        let plan = plan(&["audit", "--output", ""]);
        assert_eq!(values(&plan), ["table", "wide", "json", "yaml"]);
    }

    #[test]
    fn hook_values_complete_the_last_item_of_a_list() {
        let plan = plan(&["audit", "--disable", "image-latest,p"]);
        assert_eq!(values(&plan), ["image-latest,pdb-missing"]);
        let plan = self::plan(&["audit", "--disable=i"]);
        assert_eq!(values(&plan), ["--disable=image-latest"]);
        assert_eq!(
            plan.candidates[0].help.as_deref(),
            Some("Image uses latest")
        );
    }

    #[test]
    fn live_values_are_planned_with_what_the_line_said() {
        let plan = plan(&["-n", "shop", "status", "--velero-namespace=dr", "we"]);
        assert_eq!(
            plan.lookup,
            Some(Values::Names {
                resource: ApiResource::erase::<k8s_openapi::api::apps::v1::Deployment>(&()),
                namespace: Some("dr".into())
            })
        );
        assert_eq!(plan.word, "we");
        assert_eq!(plan.given.kube_flags().namespace.as_deref(), Some("shop"));
        assert_eq!(
            self::plan(&["audit", "-n", ""]).lookup,
            Some(Values::Namespaces)
        );
        assert_eq!(
            self::plan(&["audit", "-nsh"]).lookup,
            None,
            "value attached"
        );
        assert_eq!(
            self::plan(&["audit", "--contexts", "a,"]),
            Plan {
                candidates: vec![],
                lookup: Some(Values::Contexts),
                prefix: "a,".into(),
                word: String::new(),
                directive: DIRECTIVE_NO_FILE,
                given: Given::default(),
            }
        );
    }

    #[test]
    fn paths_fall_back_to_the_shell_and_other_values_do_not() {
        assert_eq!(plan(&["audit", "-f", ""]).directive, DIRECTIVE_DEFAULT);
        assert_eq!(plan(&["status", "--dir", ""]).directive, DIRECTIVE_DIRS);
        let plan = plan(&["--request-timeout", ""]);
        assert_eq!(plan.directive, DIRECTIVE_NO_FILE);
        assert!(plan.candidates.is_empty() && plan.lookup.is_none());
    }

    #[test]
    fn kube_flags_come_from_the_line_and_survive_bad_values() {
        let plan = plan(&[
            "--kubeconfig",
            "/k",
            "-s",
            "https://x",
            "--insecure-skip-tls-verify",
            "status",
            "",
        ]);
        let flags = plan.given.kube_flags();
        assert_eq!(
            flags.kubeconfig.as_deref(),
            Some(std::path::Path::new("/k"))
        );
        assert_eq!(flags.server.as_deref(), Some("https://x"));
        assert_eq!(flags.insecure_skip_tls_verify, Some(true));
        let bad = self::plan(&["--request-timeout", "soon", "status", ""]);
        assert_eq!(bad.given.kube_flags().request_timeout, None);
    }

    #[test]
    fn rendered_for_kubectl() {
        let text = render(
            &[
                Candidate::new("audit", Some("Audit\tthings".into())),
                Candidate::new("x", None),
            ],
            DIRECTIVE_NO_FILE,
        );
        assert_eq!(text, "audit\tAudit things\nx\n:4\n");
    }

    #[tokio::test]
    async fn an_unreachable_cluster_gives_nothing_quickly() {
        let dir = tempfile::tempdir().expect("tempdir");
        let kubeconfig = dir.path().join("config");
        std::fs::write(
            &kubeconfig,
            "apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters:\n- name: c\n  cluster:\n    server: http://127.0.0.1:1\ncontexts:\n- name: c\n  context:\n    cluster: c\n    user: u\nusers:\n- name: u\n  user: {}\n",
        )
        .expect("write");
        let kubeconfig = kubeconfig.to_string_lossy().into_owned();
        let plan = plan(&["--kubeconfig", &kubeconfig, "audit", "-n", ""]);
        let plugin = Plugin {
            name: "test",
            version: "0",
        };
        let started = std::time::Instant::now();
        assert!(
            look_up(&Values::Namespaces, &plan.given, plugin)
                .await
                .is_empty()
        );
        assert!(started.elapsed() < LOOKUP_DEADLINE + Duration::from_secs(1));
        let contexts = look_up(&Values::Contexts, &plan.given, plugin).await;
        assert_eq!(contexts, [Candidate::new("c", None)]);
    }
}
