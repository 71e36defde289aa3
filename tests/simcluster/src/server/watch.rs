//! Watch streams: the changes since a resource version, then new ones as they happen, with bookmarks and the 410 of an expired version.

use super::*;

fn watch_line(kind: &str, object: &Value) -> Bytes {
    let mut line = json!({"type": kind, "object": object}).to_string();
    line.push('\n');
    Bytes::from(line)
}

pub(super) fn watch_response(
    shared: &Arc<Shared>,
    target: &Target,
    params: &HashMap<String, String>,
    faults: &Faults,
    table: bool,
) -> Response<Body> {
    let table_rt = target.rt.clone();
    let watch_line = move |kind: &str, object: &Value| {
        if table && kind != "ERROR" {
            watch_line(
                kind,
                &crate::table::table(&table_rt, std::slice::from_ref(object), json!({})),
            )
        } else {
            watch_line(kind, object)
        }
    };
    let labels = match LabelSelector::parse(params.get("labelSelector").map_or("", String::as_str))
    {
        Ok(l) => l,
        Err(e) => return error_response(&ApiError::bad_request(e)),
    };
    let fields = match FieldSelector::parse(
        params.get("fieldSelector").map_or("", String::as_str),
        &target.rt.kind,
    ) {
        Ok(f) => f,
        Err(e) => return error_response(&ApiError::bad_request(e)),
    };
    let name_filter = target.name.clone();
    let rt = target.rt.clone();
    let api_version = rt.api_version(&target.version);
    let namespace = target.namespace.clone();
    let matches = move |key: &crate::store::Key, object: &Value| {
        key.0 == rt.group
            && key.1 == rt.plural
            && namespace.as_ref().is_none_or(|ns| &key.2 == ns)
            && name_filter.as_ref().is_none_or(|n| &key.3 == n)
            && labels.matches(&object["metadata"]["labels"])
            && fields.matches(object)
    };
    let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(256);
    let mut backlog = Vec::new();
    let receiver;
    {
        let store = shared.store();
        receiver = store.changes.subscribe();
        // A streaming list (`sendInitialEvents=true`, what client-go's informers and
        // `kubectl wait` send since 1.34): the current objects as ADDED events, whatever the
        // resourceVersion (NotOlderThan it), then a bookmark that marks their end.
        let initial_events = params.get("sendInitialEvents").is_some_and(|v| v == "true");
        let since = params
            .get("resourceVersion")
            .and_then(|rv| rv.parse::<u64>().ok())
            .filter(|rv| *rv > 0 && !initial_events);
        match since {
            Some(rv) => match store.changes_since(rv) {
                Some(changes) => {
                    for change in changes.iter().filter(|c| matches(&c.key, &c.object)) {
                        let mut object = change.object.clone();
                        object["apiVersion"] = json!(api_version);
                        backlog.push(watch_line(change.kind, &object));
                    }
                }
                None => {
                    let gone = ApiError::new(
                        410,
                        "Expired",
                        format!(
                            "too old resource version: {rv} ({})",
                            store.resource_version()
                        ),
                    );
                    backlog.push(watch_line("ERROR", &gone.status()));
                }
            },
            None => {
                let options = ListOptions::default();
                if let Ok(result) = store.list(&target.rt, target.namespace.as_deref(), &options) {
                    for object in result.items {
                        let key = (
                            target.rt.group.clone(),
                            target.rt.plural.clone(),
                            object["metadata"]["namespace"]
                                .as_str()
                                .unwrap_or_default()
                                .to_owned(),
                            object["metadata"]["name"]
                                .as_str()
                                .unwrap_or_default()
                                .to_owned(),
                        );
                        if matches(&key, object) {
                            let mut object = object.clone();
                            object["apiVersion"] = json!(api_version);
                            backlog.push(watch_line("ADDED", &object));
                        }
                    }
                }
                if initial_events {
                    let bookmark = json!({
                        "kind": target.rt.kind,
                        "apiVersion": api_version,
                        "metadata": {
                            "resourceVersion": store.resource_version().to_string(),
                            "annotations": {"k8s.io/initial-events-end": "true"},
                        },
                    });
                    backlog.push(watch_line("BOOKMARK", &bookmark));
                }
            }
        }
    }
    let expired = backlog
        .last()
        .is_some_and(|l| l.starts_with(b"{\"type\":\"ERROR\""));
    let timeout = params
        .get("timeoutSeconds")
        .and_then(|t| t.parse::<u64>().ok())
        .map(Duration::from_secs)
        .into_iter()
        .chain(faults.watch_lifetime)
        .min()
        .unwrap_or(Duration::from_secs(1800));
    let api_version = target.rt.api_version(&target.version);
    tokio::spawn(async move {
        for line in backlog {
            if tx.send(line).await.is_err() {
                return;
            }
        }
        if expired {
            return;
        }
        let mut receiver = receiver;
        let deadline = tokio::time::sleep(timeout);
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                _ = &mut deadline => return,
                change = receiver.recv() => match change {
                    Ok(change) => {
                        if matches(&change.key, &change.object) {
                            let mut object = change.object.clone();
                            object["apiVersion"] = json!(api_version);
                            if tx.send(watch_line(change.kind, &object)).await.is_err() {
                                return;
                            }
                        }
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => return,
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                },
            }
        }
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|bytes| (Ok::<_, Infallible>(Frame::data(bytes)), rx))
    });
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::TRANSFER_ENCODING, "chunked")
        .body(StreamBody::new(stream).boxed())
        .unwrap_or_else(|_| Response::new(full("")))
}
