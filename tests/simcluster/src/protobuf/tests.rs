use prost::Message as _;
use prost_reflect::{Kind, Value as V};

use super::*;

/// The inverse of [`to_json`], as a Go client marshals: every non-pointer field written, zero
/// or not (so the decoder's zero rules are exercised), from the JSON a client means.
fn encode_message(
    schema: &Schema,
    descriptor: &MessageDescriptor,
    value: &Value,
) -> DynamicMessage {
    let mut message = DynamicMessage::new(descriptor.clone());
    let name = descriptor.full_name().to_owned();
    let field = |n: &str| descriptor.get_field_by_name(n).expect("field");
    match name.strip_prefix("k8s.io.apimachinery.pkg.") {
        Some("api.resource.Quantity") => {
            message.set_field(
                &field("string"),
                V::String(value.as_str().expect("quantity").into()),
            );
            return message;
        }
        Some("apis.meta.v1.Time") => {
            let at: jiff::Timestamp = value.as_str().expect("time").parse().expect("RFC 3339");
            message.set_field(&field("seconds"), V::I64(at.as_second()));
            return message;
        }
        Some("util.intstr.IntOrString") => {
            match value {
                Value::String(s) => {
                    message.set_field(&field("type"), V::I64(1));
                    message.set_field(&field("strVal"), V::String(s.clone()));
                }
                other => {
                    message.set_field(&field("type"), V::I64(0));
                    let n = other.as_i64().expect("int");
                    message.set_field(&field("intVal"), V::I32(i32::try_from(n).expect("int32")));
                }
            }
            return message;
        }
        _ => {}
    }
    if let Value::Array(_) = value {
        let items = field("items");
        message.set_field(&items, encode_value(schema, &items, value));
        return message;
    }
    let object = value.as_object().expect("an object for a message");
    for f in descriptor.fields() {
        let json_name = schema.json_name(&name, &f).to_owned();
        match object.get(&json_name) {
            Some(v) => message.set_field(&f, encode_value(schema, &f, v)),
            // What a Go client writes for a non-pointer field it left at zero.
            None if !f.is_list() && !f.is_map() && !schema.keeps_zero(&name, f.name()) => {
                if let Kind::Message(m) = f.kind() {
                    if !m.full_name().ends_with("Quantity") {
                        message.set_field(&f, V::Message(DynamicMessage::new(m)));
                    }
                } else {
                    message.set_field(&f, V::default_value_for_field(&f));
                }
            }
            None => {}
        }
    }
    for key in object.keys() {
        assert!(
            descriptor
                .fields()
                .any(|f| schema.json_name(&name, &f) == key),
            "{name} has no field {key}"
        );
    }
    message
}

fn encode_value(schema: &Schema, field: &FieldDescriptor, value: &Value) -> V {
    let single = |value: &Value| match field.kind() {
        Kind::Message(m) => V::Message(encode_message(schema, &m, value)),
        Kind::String => V::String(value.as_str().expect("string").into()),
        Kind::Bool => V::Bool(value.as_bool().expect("bool")),
        Kind::Int32 => V::I32(value.as_i64().expect("int") as i32),
        Kind::Int64 => V::I64(value.as_i64().expect("int")),
        Kind::Double => V::F64(value.as_f64().expect("number")),
        Kind::Bytes => V::Bytes(
            base64::engine::general_purpose::STANDARD
                .decode(value.as_str().expect("base64"))
                .expect("base64")
                .into(),
        ),
        other => panic!("unexpected kind {other:?}"),
    };
    if field.is_map() {
        let Kind::Message(entry) = field.kind() else {
            panic!("a map field is a message")
        };
        let value_field = entry.map_entry_value_field();
        let map = value
            .as_object()
            .expect("object")
            .iter()
            .map(|(k, v)| {
                (
                    MapKey::String(k.clone()),
                    encode_value(schema, &value_field, v),
                )
            })
            .collect();
        V::Map(map)
    } else if field.is_list() {
        V::List(
            value
                .as_array()
                .expect("array")
                .iter()
                .map(single)
                .collect(),
        )
    } else {
        single(value)
    }
}

/// `object` as kubectl's typed clients send it.
fn encode(object: &Value) -> Vec<u8> {
    let schema = schema();
    let (api_version, kind) = (
        object["apiVersion"].as_str().unwrap(),
        object["kind"].as_str().unwrap(),
    );
    let descriptor = schema
        .message(schema.kind(api_version, kind).expect("known kind"))
        .unwrap();
    let mut fields = object.clone();
    let fields_map = fields.as_object_mut().unwrap();
    fields_map.remove("apiVersion");
    fields_map.remove("kind");
    let raw = encode_message(schema, &descriptor, &fields).encode_to_vec();
    let unknown = schema.message(UNKNOWN).unwrap();
    let type_meta = unknown.get_field_by_name("typeMeta").unwrap();
    let Kind::Message(type_meta_descriptor) = type_meta.kind() else {
        unreachable!()
    };
    let mut meta = DynamicMessage::new(type_meta_descriptor);
    meta.set_field_by_name("apiVersion", V::String(api_version.into()));
    meta.set_field_by_name("kind", V::String(kind.into()));
    let mut envelope = DynamicMessage::new(unknown);
    envelope.set_field(&type_meta, V::Message(meta));
    envelope.set_field_by_name("raw", V::Bytes(raw.into()));
    [b"k8s\0".to_vec(), envelope.encode_to_vec()].concat()
}

#[test]
fn every_kind_names_a_vendored_message() {
    let schema = schema();
    assert!(schema.kinds.len() > 500, "{} kinds", schema.kinds.len());
    for ((api_version, kind), message) in &schema.kinds {
        assert!(
            schema.pool.get_message_by_name(message).is_some(),
            "{api_version} {kind}: no message {message}"
        );
    }
    for message in schema.keep.keys().chain(schema.json_names.keys()) {
        assert!(
            schema.pool.get_message_by_name(message).is_some(),
            "{message}"
        );
    }
}

#[test]
fn decodes_what_kubectl_create_sends() {
    let objects = [
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "prod", "labels": {"team": "a"}}}),
        json!({"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "q", "namespace": "prod"},
               "spec": {"hard": {"cpu": "2", "pods": "10"}, "scopes": ["NotTerminating"]}}),
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
               "metadata": {"name": "web", "labels": {"app": "web"}, "creationTimestamp": "2026-12-07T10:00:00Z"},
               "spec": {"replicas": 0, "selector": {"matchLabels": {"app": "web"}},
                        "strategy": {"rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 0}},
                        "template": {"metadata": {"labels": {"app": "web"}},
                                     "spec": {"automountServiceAccountToken": false,
                                              "containers": [{"name": "web", "image": "nginx:1.27",
                                                              "ports": [{"containerPort": 80, "protocol": "TCP"}],
                                                              "resources": {"limits": {"cpu": "500m", "memory": "128Mi"}},
                                                              "securityContext": {"readOnlyRootFilesystem": false, "runAsUser": 0}}]}}}}),
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
               "spec": {"ports": [{"name": "http", "port": 80, "targetPort": "http"}, {"port": 81, "targetPort": 8081}],
                        "selector": {"app": "web"}, "type": "ClusterIP"}}),
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "type": "Opaque",
               "data": {"empty": "", "key": "dmFsdWU="}}),
        json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "nightly"},
               "spec": {"schedule": "0 3 * * *", "suspend": false,
                        "jobTemplate": {"spec": {"backoffLimit": 0, "template": {
                            "spec": {"restartPolicy": "OnFailure", "containers": [{"name": "job", "image": "busybox", "command": ["date"]}]}}}}}}),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "reader"},
               "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}]}),
        json!({"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview",
               "spec": {"token": "t"}, "status": {"user": {"username": "u", "extra": {"scopes": ["a", "b"]}}}}),
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass", "metadata": {"name": "i"},
               "spec": {"controller": "c", "parameters": {"apiGroup": "g", "kind": "K", "name": "n"}}}),
    ];
    for object in objects {
        assert_eq!(decode(&encode(&object)).unwrap(), object);
    }
}

#[test]
fn refuses_what_is_not_a_kubernetes_protobuf_body() {
    assert!(matches!(decode(b"{}"), Err(DecodeError::Malformed(_))));
    assert!(matches!(
        decode(b"k8s\0\xff\xff"),
        Err(DecodeError::Malformed(_))
    ));
    let mut backup =
        encode(&json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}));
    let at = backup.windows(9).position(|w| w == b"ConfigMap").unwrap();
    backup.splice(at..at + 9, *b"Backups00");
    assert_eq!(
        decode(&backup),
        Err(DecodeError::Unsupported(
            "Backups00 (v1) has no protobuf encoding: send it as JSON".into()
        ))
    );
}

#[test]
fn durations_print_as_go_prints_them() {
    for (nanos, text) in [
        (0, "0s"),
        (1, "1ns"),
        (1_500, "1.5µs"),
        (100_000_000, "100ms"),
        (1_500_000_000, "1.5s"),
        (90_000_000_000, "1m30s"),
        (3_600_000_000_000, "1h0m0s"),
        (-5_000_000_000, "-5s"),
    ] {
        assert_eq!(go_duration(nanos), text);
    }
}
