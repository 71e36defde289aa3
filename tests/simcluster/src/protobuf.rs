//! Just enough of the Kubernetes protobuf encoding for the typed requests kubectl sends that
//! way: `kubectl create namespace` (Namespace), `kubectl create quota` (ResourceQuota) and
//! `kubectl auth can-i` (SelfSubjectAccessReview).
//! Bodies are `k8s\0` + `runtime.Unknown{typeMeta, raw}`; `raw` is the object's message.

use serde_json::{Map, Value, json};

/// One field of a message: number and payload (varints as numbers, the rest as bytes).
enum Field<'a> {
    Varint,
    Bytes(&'a [u8]),
}

fn varint(data: &[u8], pos: &mut usize) -> Option<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *data.get(*pos)?;
        *pos += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

fn fields(data: &[u8]) -> Option<Vec<(u64, Field<'_>)>> {
    let mut pos = 0;
    let mut out = Vec::new();
    while pos < data.len() {
        let tag = varint(data, &mut pos)?;
        let field = match tag & 7 {
            0 => {
                varint(data, &mut pos)?;
                Field::Varint
            }
            2 => {
                let len = usize::try_from(varint(data, &mut pos)?).ok()?;
                let bytes = data.get(pos..pos.checked_add(len)?)?;
                pos += len;
                Field::Bytes(bytes)
            }
            1 => {
                pos += 8;
                Field::Varint
            }
            5 => {
                pos += 4;
                Field::Varint
            }
            _ => return None,
        };
        out.push((tag >> 3, field));
    }
    Some(out)
}

fn text(bytes: &[u8]) -> Value {
    Value::String(String::from_utf8_lossy(bytes).into_owned())
}

fn strings(message: &[u8], names: &[(u64, &str)]) -> Option<Map<String, Value>> {
    let mut map = Map::new();
    for (number, field) in fields(message)? {
        if let (Some((_, name)), Field::Bytes(bytes)) =
            (names.iter().find(|(n, _)| *n == number), field)
        {
            map.insert((*name).to_owned(), text(bytes));
        }
    }
    Some(map)
}

fn string_map(entries: &[&[u8]]) -> Option<Value> {
    let mut map = Map::new();
    for entry in entries {
        let kv = strings(entry, &[(1, "k"), (2, "v")])?;
        map.insert(
            kv.get("k")?.as_str()?.to_owned(),
            kv.get("v").cloned().unwrap_or(json!("")),
        );
    }
    Some(Value::Object(map))
}

fn object_meta(message: &[u8]) -> Option<Value> {
    let mut meta = strings(
        message,
        &[(1, "name"), (2, "generateName"), (3, "namespace")],
    )?;
    let mut labels = Vec::new();
    let mut annotations = Vec::new();
    for (number, field) in fields(message)? {
        match (number, field) {
            (11, Field::Bytes(b)) => labels.push(b),
            (12, Field::Bytes(b)) => annotations.push(b),
            _ => {}
        }
    }
    if !labels.is_empty() {
        meta.insert("labels".into(), string_map(&labels)?);
    }
    if !annotations.is_empty() {
        meta.insert("annotations".into(), string_map(&annotations)?);
    }
    Some(Value::Object(meta))
}

fn message_field(message: &[u8], wanted: u64) -> Option<&[u8]> {
    fields(message)?
        .into_iter()
        .find_map(|(n, f)| match (n, f) {
            (n, Field::Bytes(b)) if n == wanted => Some(b),
            _ => None,
        })
}

/// Decodes a protobuf request body into JSON, for the kinds kubectl sends as protobuf.
pub fn decode(body: &[u8]) -> Result<Value, String> {
    let envelope = body
        .strip_prefix(b"k8s\0")
        .ok_or("not a Kubernetes protobuf body (no `k8s\\0` prefix)")?;
    let type_meta = message_field(envelope, 1).ok_or("protobuf body without typeMeta")?;
    let type_meta =
        strings(type_meta, &[(1, "apiVersion"), (2, "kind")]).ok_or("invalid typeMeta")?;
    let raw = message_field(envelope, 2).unwrap_or_default();
    let kind = type_meta
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let mut object = json!({"apiVersion": type_meta.get("apiVersion"), "kind": kind});
    object["metadata"] = message_field(raw, 1)
        .and_then(object_meta)
        .unwrap_or(json!({}));
    match kind.as_str() {
        "Namespace" => {}
        "ResourceQuota" => {
            // spec: hard (1, map<string, Quantity{string = 1}>), scopes (2, repeated string).
            let spec = message_field(raw, 2).unwrap_or_default();
            let mut hard = Map::new();
            let mut scopes = Vec::new();
            for (number, field) in fields(spec).ok_or("invalid ResourceQuota spec")? {
                match (number, field) {
                    (1, Field::Bytes(entry)) => {
                        let key = message_field(entry, 1)
                            .map(text)
                            .ok_or("invalid hard entry")?;
                        let quantity = message_field(entry, 2)
                            .and_then(|q| message_field(q, 1))
                            .map(text)
                            .ok_or("invalid hard quantity")?;
                        hard.insert(key.as_str().unwrap_or_default().to_owned(), quantity);
                    }
                    (2, Field::Bytes(scope)) => scopes.push(text(scope)),
                    _ => {}
                }
            }
            object["spec"] = json!({"hard": hard});
            if !scopes.is_empty() {
                object["spec"]["scopes"] = Value::Array(scopes);
            }
        }
        "SelfSubjectAccessReview" => {
            let spec = message_field(raw, 2).unwrap_or_default();
            if let Some(attrs) = message_field(spec, 1) {
                let attrs = strings(
                    attrs,
                    &[
                        (1, "namespace"),
                        (2, "verb"),
                        (3, "group"),
                        (4, "version"),
                        (5, "resource"),
                        (6, "subresource"),
                        (7, "name"),
                    ],
                )
                .ok_or("invalid resourceAttributes")?;
                object["spec"] = json!({"resourceAttributes": attrs});
            } else if let Some(attrs) = message_field(spec, 2) {
                let attrs = strings(attrs, &[(1, "path"), (2, "verb")])
                    .ok_or("invalid nonResourceAttributes")?;
                object["spec"] = json!({"nonResourceAttributes": attrs});
            }
        }
        other => {
            return Err(format!(
                "simcluster accepts {other} only as JSON: send it with `kubectl apply` or `kubectl create -f`"
            ));
        }
    }
    Ok(object)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes_field(number: u64, payload: &[u8]) -> Vec<u8> {
        let mut out = vec![((number << 3) | 2) as u8, payload.len() as u8];
        out.extend_from_slice(payload);
        out
    }

    #[test]
    fn decodes_a_namespace_as_kubectl_sends_it() {
        let type_meta = [bytes_field(1, b"v1"), bytes_field(2, b"Namespace")].concat();
        let label = [bytes_field(1, b"team"), bytes_field(2, b"a")].concat();
        let meta = [bytes_field(1, b"prod"), bytes_field(11, &label)].concat();
        let raw = bytes_field(1, &meta);
        let body = [
            b"k8s\0".to_vec(),
            bytes_field(1, &type_meta),
            bytes_field(2, &raw),
        ]
        .concat();
        let object = decode(&body).unwrap();
        assert_eq!(
            object,
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "prod", "labels": {"team": "a"}}})
        );
        assert!(decode(b"{}").is_err());
    }
}
