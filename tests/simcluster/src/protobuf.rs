//! Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`, which kubectl's
//! typed clients send: `kubectl create deployment|job|cronjob|secret|service|…`), for every
//! built-in kind. The messages are upstream's own .proto definitions, vendored in `proto/`
//! and compiled by build.rs; `proto/go-types.txt` adds what the .proto files do not say (the
//! message of each kind, the fields whose zero value means something), printed from the Go
//! types by `tests/realcluster/protoschema`.
//!
//! A body is `k8s\0` and a `runtime.Unknown` whose `typeMeta` names the kind and whose `raw` is
//! the object's message. It becomes the JSON the API server would print for it: Quantities,
//! times, durations and int-or-strings in their JSON forms, bytes in base64, and the zero
//! values the Go marshaller writes for every non-pointer field left out, as Go's `omitempty`
//! leaves them out.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use base64::Engine as _;
use prost_reflect::{
    DescriptorPool, DynamicMessage, FieldDescriptor, MapKey, MessageDescriptor, ReflectMessage,
};
use serde_json::{Map, Value, json};

const DESCRIPTORS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/kubernetes.binpb"));
const GO_TYPES: &str = include_str!("../proto/go-types.txt");

const UNKNOWN: &str = "k8s.io.apimachinery.pkg.runtime.Unknown";

/// The compiled definitions and go-types.txt.
struct Schema {
    pool: DescriptorPool,
    /// (apiVersion, kind) → message name.
    kinds: HashMap<(String, String), String>,
    /// message → the fields whose zero value is kept (Go pointers, and scalars without
    /// `omitempty`).
    keep: HashMap<String, HashSet<String>>,
    /// message → field → its JSON name, where that is not the field's name.
    json_names: HashMap<String, HashMap<String, String>>,
}

fn schema() -> &'static Schema {
    static SCHEMA: OnceLock<Schema> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let pool = DescriptorPool::decode(DESCRIPTORS)
            .expect("build.rs wrote a valid descriptor set of the vendored .proto files");
        let mut schema = Schema {
            pool,
            kinds: HashMap::new(),
            keep: HashMap::new(),
            json_names: HashMap::new(),
        };
        for line in GO_TYPES.lines().filter(|l| !l.starts_with('#')) {
            match line.split(' ').collect::<Vec<_>>()[..] {
                ["kind", api_version, kind, message] => {
                    schema
                        .kinds
                        .insert((api_version.into(), kind.into()), message.into());
                }
                ["keep", message, field] => {
                    schema
                        .keep
                        .entry(message.into())
                        .or_default()
                        .insert(field.into());
                }
                ["json", message, field, name] => {
                    schema
                        .json_names
                        .entry(message.into())
                        .or_default()
                        .insert(field.into(), name.into());
                }
                _ => panic!("proto/go-types.txt: unexpected line {line:?}"),
            }
        }
        schema
    })
}

impl Schema {
    fn message(&self, name: &str) -> Result<MessageDescriptor, String> {
        self.pool
            .get_message_by_name(name)
            .ok_or_else(|| format!("no message {name} in the vendored .proto files"))
    }

    fn kind(&self, api_version: &str, kind: &str) -> Option<&str> {
        self.kinds
            .get(&(api_version.to_owned(), kind.to_owned()))
            .map(String::as_str)
    }

    fn json_name<'a>(&'a self, message: &str, field: &'a FieldDescriptor) -> &'a str {
        self.json_names
            .get(message)
            .and_then(|names| names.get(field.name()))
            .map_or(field.name(), String::as_str)
    }

    fn keeps_zero(&self, message: &str, field: &str) -> bool {
        self.keep.get(message).is_some_and(|f| f.contains(field))
    }
}

/// The error for a body that is not the protobuf encoding of a built-in kind.
#[derive(Debug, PartialEq)]
pub enum DecodeError {
    /// Not `k8s\0` + `runtime.Unknown`, or not the message it says it is.
    Malformed(String),
    /// A kind without a protobuf encoding (custom resources are sent as JSON).
    Unsupported(String),
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::Malformed(m) | DecodeError::Unsupported(m) => f.write_str(m),
        }
    }
}

/// Decodes a protobuf request body into the object's JSON.
pub fn decode(body: &[u8]) -> Result<Value, DecodeError> {
    let schema = schema();
    let malformed = |e: &dyn std::fmt::Display| DecodeError::Malformed(e.to_string());
    let envelope = body
        .strip_prefix(b"k8s\0")
        .ok_or_else(|| malformed(&"not a Kubernetes protobuf body (no `k8s\\0` prefix)"))?;
    let unknown = DynamicMessage::decode(
        schema.message(UNKNOWN).map_err(|e| malformed(&e))?,
        envelope,
    )
    .map_err(|e| malformed(&format!("invalid runtime.Unknown envelope: {e}")))?;
    let type_meta = match unknown.get_field_by_name("typeMeta").as_deref() {
        Some(prost_reflect::Value::Message(m)) => m.clone(),
        _ => return Err(malformed(&"protobuf body without typeMeta")),
    };
    let text = |name: &str| {
        type_meta
            .get_field_by_name(name)
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    };
    let (api_version, kind) = (text("apiVersion"), text("kind"));
    let name = schema.kind(&api_version, &kind).ok_or_else(|| {
        DecodeError::Unsupported(format!(
            "{kind} ({api_version}) has no protobuf encoding: send it as JSON"
        ))
    })?;
    let raw = unknown
        .get_field_by_name("raw")
        .and_then(|v| v.as_bytes().cloned())
        .unwrap_or_default();
    let message = DynamicMessage::decode(schema.message(name).map_err(|e| malformed(&e))?, raw)
        .map_err(|e| malformed(&format!("invalid {kind} message: {e}")))?;
    let mut object = Map::new();
    object.insert("apiVersion".into(), json!(api_version));
    object.insert("kind".into(), json!(kind));
    match to_json(schema, &message)? {
        Value::Object(fields) => object.extend(fields),
        other => return Err(malformed(&format!("{kind} decoded as {other}"))),
    }
    Ok(Value::Object(object))
}

fn is_zero(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
    }
}

fn int(message: &DynamicMessage, field: &str) -> i64 {
    message
        .get_field_by_name(field)
        .and_then(|v| v.as_i64().or(v.as_i32().map(i64::from)))
        .unwrap_or_default()
}

fn string(message: &DynamicMessage, field: &str) -> String {
    message
        .get_field_by_name(field)
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn bytes(message: &DynamicMessage, field: &str) -> Vec<u8> {
    message
        .get_field_by_name(field)
        .and_then(|v| v.as_bytes().map(|b| b.to_vec()))
        .unwrap_or_default()
}

/// A `meta.v1.Time` (seconds) or `MicroTime` (microseconds) as Go marshals it; zero is null.
fn time(message: &DynamicMessage, micro: bool) -> Result<Value, DecodeError> {
    let (seconds, nanos) = (int(message, "seconds"), int(message, "nanos"));
    if seconds == 0 && nanos == 0 {
        return Ok(Value::Null);
    }
    let at = jiff::Timestamp::new(seconds, i32::try_from(nanos).unwrap_or_default())
        .map_err(|e| DecodeError::Malformed(format!("invalid time: {e}")))?;
    let whole = at.strftime("%Y-%m-%dT%H:%M:%S");
    Ok(json!(if micro {
        format!("{whole}.{:06}Z", at.subsec_nanosecond() / 1000)
    } else {
        format!("{whole}Z")
    }))
}

/// Go's `time.Duration.String()`: `1h2m3.5s`, `1.5s`, `100ms`, `0s`.
fn go_duration(nanos: i64) -> String {
    fn with_fraction(value: u64, scale: u64) -> String {
        let (whole, fraction) = (value / scale, value % scale);
        if fraction == 0 {
            return whole.to_string();
        }
        let digits = scale.ilog10() as usize;
        let fraction = format!("{fraction:0digits$}");
        format!("{whole}.{}", fraction.trim_end_matches('0'))
    }
    if nanos == 0 {
        return "0s".into();
    }
    let sign = if nanos < 0 { "-" } else { "" };
    let n = nanos.unsigned_abs();
    const SECOND: u64 = 1_000_000_000;
    if n < SECOND {
        let (scale, unit) = match n {
            0..1_000 => (1, "ns"),
            1_000..1_000_000 => (1_000, "µs"),
            _ => (1_000_000, "ms"),
        };
        return format!("{sign}{}{unit}", with_fraction(n, scale));
    }
    let (hours, minutes) = (n / (3600 * SECOND), n / (60 * SECOND) % 60);
    let seconds = with_fraction(n % (60 * SECOND), SECOND);
    match (hours, minutes) {
        (0, 0) => format!("{sign}{seconds}s"),
        (0, m) => format!("{sign}{m}m{seconds}s"),
        (h, m) => format!("{sign}{h}h{m}m{seconds}s"),
    }
}

fn to_json(schema: &Schema, message: &DynamicMessage) -> Result<Value, DecodeError> {
    let descriptor = message.descriptor();
    let name = descriptor.full_name();
    match name.strip_prefix("k8s.io.apimachinery.pkg.") {
        Some("api.resource.Quantity") => return Ok(json!(string(message, "string"))),
        Some("apis.meta.v1.Time") => return time(message, false),
        Some("apis.meta.v1.MicroTime") => return time(message, true),
        Some("apis.meta.v1.Duration") => return Ok(json!(go_duration(int(message, "duration")))),
        Some("util.intstr.IntOrString") => {
            return Ok(match int(message, "type") {
                0 => json!(int(message, "intVal")),
                _ => json!(string(message, "strVal")),
            });
        }
        Some("runtime.RawExtension") | Some("apis.meta.v1.FieldsV1") => {
            let raw = bytes(
                message,
                if name.ends_with("FieldsV1") {
                    "Raw"
                } else {
                    "raw"
                },
            );
            if raw.is_empty() {
                return Ok(Value::Null);
            }
            return serde_json::from_slice(&raw)
                .map_err(|e| DecodeError::Malformed(format!("{name}: raw is not JSON: {e}")));
        }
        _ => {}
    }
    let fields: Vec<FieldDescriptor> = descriptor.fields().collect();
    // A named Go slice (authentication's ExtraValue, meta.v1's Verbs): `repeated items = 1` only.
    if let [only] = &fields[..]
        && only.name() == "items"
        && only.is_list()
        && !name.ends_with("List")
    {
        return value_json(schema, &message.get_field(only));
    }
    let mut object = Map::new();
    for field in &fields {
        if !message.has_field(field) {
            continue;
        }
        let value = value_json(schema, &message.get_field(field))?;
        if value.is_null() || (is_zero(&value) && !schema.keeps_zero(name, field.name())) {
            continue;
        }
        object.insert(schema.json_name(name, field).to_owned(), value);
    }
    Ok(Value::Object(object))
}

fn value_json(schema: &Schema, value: &prost_reflect::Value) -> Result<Value, DecodeError> {
    use prost_reflect::Value as V;
    Ok(match value {
        V::Bool(b) => json!(b),
        V::I32(n) => json!(n),
        V::I64(n) => json!(n),
        V::U32(n) => json!(n),
        V::U64(n) => json!(n),
        V::F32(n) => json!(n),
        V::F64(n) => json!(n),
        V::EnumNumber(n) => json!(n),
        V::String(s) => json!(s),
        V::Bytes(b) => json!(base64::engine::general_purpose::STANDARD.encode(b)),
        V::Message(m) => to_json(schema, m)?,
        V::List(items) => Value::Array(
            items
                .iter()
                .map(|i| value_json(schema, i))
                .collect::<Result<_, _>>()?,
        ),
        V::Map(entries) => {
            let mut sorted: Vec<(&MapKey, &V)> = entries.iter().collect();
            sorted.sort_by(|a, b| a.0.cmp(b.0));
            let mut map = Map::new();
            for (key, value) in sorted {
                let key = match key {
                    MapKey::String(s) => s.clone(),
                    MapKey::Bool(b) => b.to_string(),
                    MapKey::I32(n) => n.to_string(),
                    MapKey::I64(n) => n.to_string(),
                    MapKey::U32(n) => n.to_string(),
                    MapKey::U64(n) => n.to_string(),
                };
                map.insert(key, value_json(schema, value)?);
            }
            Value::Object(map)
        }
    })
}

#[cfg(test)]
mod tests;
