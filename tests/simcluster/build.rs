//! Compiles the vendored upstream Kubernetes .proto definitions (proto/, see proto/vendor.sh)
//! into one descriptor set, which src/protobuf.rs decodes request bodies with.

use std::path::{Path, PathBuf};

fn protos(dir: &Path, root: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            protos(&path, root, out);
        } else if path.extension().is_some_and(|e| e == "proto") {
            out.push(path.strip_prefix(root).expect("under proto/").to_path_buf());
        }
    }
}

fn main() {
    let root = Path::new("proto");
    println!("cargo:rerun-if-changed=proto");
    let mut files = Vec::new();
    protos(root, root, &mut files);
    let set = protox::Compiler::new([root])
        .and_then(|mut compiler| {
            compiler.include_imports(true).open_files(&files)?;
            Ok(compiler.encode_file_descriptor_set())
        })
        .unwrap_or_else(|e| panic!("compiling the Kubernetes .proto files in proto/: {e}"));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR")).join("kubernetes.binpb");
    std::fs::write(&out, set).unwrap_or_else(|e| panic!("writing {}: {e}", out.display()));
}
