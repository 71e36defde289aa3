//! A spool: items written to a temporary file as they are produced and read back one at a time,
//! so a report whose header needs totals (a summary, a JUnit suite's counts) can be written in
//! a stream after the items that make it up, without holding them in memory.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Seek, SeekFrom, Write};

use serde::Serialize;
use serde_json::Value;

/// Items spooled to an anonymous temporary file (deleted when dropped).
pub struct Spool {
    file: BufWriter<File>,
    count: usize,
}

impl Spool {
    /// A new, empty spool.
    pub fn new() -> std::io::Result<Self> {
        Ok(Self {
            file: BufWriter::new(tempfile::tempfile()?),
            count: 0,
        })
    }

    /// Writes raw text (a spool of text is read back with [`Spool::reader`]).
    pub fn writer(&mut self) -> &mut dyn Write {
        &mut self.file
    }

    /// Spools one item, as a line of compact JSON.
    pub fn push<T: Serialize>(&mut self, item: &T) -> std::io::Result<()> {
        serde_json::to_writer(&mut self.file, item)?;
        self.file.write_all(b"\n")?;
        self.count += 1;
        Ok(())
    }

    /// Spools one line of text (a spool of lines is read back with [`Spool::reader`]).
    pub fn push_line(&mut self, line: &str) -> std::io::Result<()> {
        self.file.write_all(line.as_bytes())?;
        self.file.write_all(b"\n")?;
        self.count += 1;
        Ok(())
    }

    /// Moves what `other` holds to the end of this spool.
    pub fn append(&mut self, other: Spool) -> std::io::Result<()> {
        let count = other.count;
        let mut reader = other.reader()?;
        std::io::copy(&mut reader as &mut dyn Read, &mut self.file)?;
        self.count += count;
        Ok(())
    }

    /// The items pushed.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether nothing was pushed.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// What was written, from the start.
    pub fn reader(self) -> std::io::Result<impl BufRead> {
        let mut file = self.file.into_inner().map_err(|e| e.into_error())?;
        file.seek(SeekFrom::Start(0))?;
        Ok(BufReader::new(file))
    }

    /// The pushed items as a sequence that serializes one item at a time, read back from the
    /// file as it is written out (each exactly as it serialized: key order is kept).
    pub fn items(self) -> std::io::Result<Items> {
        Ok(Items(std::cell::RefCell::new(Box::new(self.reader()?))))
    }
}

/// A spool's items, serialized as a sequence; see [`Spool::items`].
pub struct Items(std::cell::RefCell<Box<dyn BufRead>>);

impl Serialize for Items {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error, SerializeSeq};
        let mut reader = self.0.borrow_mut();
        let mut seq = serializer.serialize_seq(None)?;
        let mut line = String::new();
        loop {
            line.clear();
            match reader.read_line(&mut line) {
                Ok(0) => break,
                Ok(_) => {
                    let item: Value = serde_json::from_str(&line).map_err(S::Error::custom)?;
                    seq.serialize_element(&item)?;
                }
                Err(e) => return Err(S::Error::custom(format!("reading the spool: {e}"))),
            }
        }
        seq.end()
    }
}

/// Copies a spool of text into `out`.
pub fn copy(spool: Spool, out: &mut dyn Write) -> std::io::Result<()> {
    let mut reader = spool.reader()?;
    std::io::copy(&mut reader as &mut dyn Read, out)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_come_back_in_order_with_their_key_order() {
        let mut spool = Spool::new().unwrap();
        spool
            .push(&serde_json::json!({"z": 1, "a": [true]}))
            .unwrap();
        spool.push(&serde_json::json!("two")).unwrap();
        assert_eq!(spool.len(), 2);
        let text = serde_json::to_string(&spool.items().unwrap()).unwrap();
        assert_eq!(text, r#"[{"z":1,"a":[true]},"two"]"#);
    }

    #[test]
    fn an_empty_spool_is_an_empty_sequence() {
        let spool = Spool::new().unwrap();
        assert!(spool.is_empty());
        assert_eq!(
            serde_json::to_string(&spool.items().unwrap()).unwrap(),
            "[]"
        );
    }

    #[test]
    fn text_is_copied_back() {
        let mut spool = Spool::new().unwrap();
        write!(spool.writer(), "a\nb").unwrap();
        let mut out = Vec::new();
        copy(spool, &mut out).unwrap();
        assert_eq!(out, b"a\nb");
    }
}
