//! The one place records are encoded: a format byte, then bincode 2 over
//! serde — compressed with zstd when the record is large (passports are
//! mostly Russian text, which shrinks about threefold). Changing the
//! encoding means a new format byte; old bytes stay readable.

use serde::Serialize;

use crate::sync::protocol::{compress, decompress};
use serde::de::DeserializeOwned;

/// Plain bincode.
pub const ENCODING: u8 = 1;
/// zstd-compressed bincode.
pub const ENCODING_ZSTD: u8 = 2;
/// Records at least this large are compressed.
const COMPRESS_FROM: usize = 512;
const ZSTD_LEVEL: i32 = 3;

#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    #[error("запись в неизвестном формате {0}: хранилище создано более новой версией smarteka")]
    UnknownEncoding(u8),
    #[error("пустая запись")]
    Empty,
    #[error("запись повреждена: {0}")]
    Decode(String),
    #[error("запись не кодируется: {0}")]
    Encode(String),
}

fn config() -> bincode::config::Configuration {
    bincode::config::standard()
}

pub fn encode<T: Serialize>(v: &T) -> Result<Vec<u8>, CodecError> {
    let body = bincode::serde::encode_to_vec(v, config())
        .map_err(|e| CodecError::Encode(e.to_string()))?;
    if body.len() >= COMPRESS_FROM {
        let packed = compress(&body, ZSTD_LEVEL).map_err(|e| CodecError::Encode(e.to_string()))?;
        let len = u32::try_from(body.len()).map_err(|e| CodecError::Encode(e.to_string()))?;
        let mut out = Vec::with_capacity(packed.len() + 5);
        out.push(ENCODING_ZSTD);
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&packed);
        return Ok(out);
    }
    let mut out = Vec::with_capacity(body.len() + 1);
    out.push(ENCODING);
    out.extend_from_slice(&body);
    Ok(out)
}

pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, CodecError> {
    let (&tag, rest) = bytes.split_first().ok_or(CodecError::Empty)?;
    let unpacked;
    let body = match tag {
        ENCODING => rest,
        ENCODING_ZSTD => {
            let (len, packed) = rest
                .split_first_chunk::<4>()
                .ok_or_else(|| CodecError::Decode("нет длины записи".into()))?;
            unpacked = decompress(packed, u32::from_le_bytes(*len) as usize)
                .map_err(|e| CodecError::Decode(e.to_string()))?;
            unpacked.as_slice()
        }
        t => return Err(CodecError::UnknownEncoding(t)),
    };
    let (v, _) = bincode::serde::decode_from_slice(body, config())
        .map_err(|e| CodecError::Decode(e.to_string()))?;
    Ok(v)
}

/// [`decode`] that also refuses bytes left over: a migration tells an old
/// shape from a new one by it.
pub fn decode_exact<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, CodecError> {
    let (&tag, rest) = bytes.split_first().ok_or(CodecError::Empty)?;
    if tag != ENCODING && tag != ENCODING_ZSTD {
        return Err(CodecError::UnknownEncoding(tag));
    }
    let unpacked;
    let body = if tag == ENCODING_ZSTD {
        let (len, packed) = rest
            .split_first_chunk::<4>()
            .ok_or_else(|| CodecError::Decode("нет длины записи".into()))?;
        unpacked = decompress(packed, u32::from_le_bytes(*len) as usize)
            .map_err(|e| CodecError::Decode(e.to_string()))?;
        unpacked.as_slice()
    } else {
        rest
    };
    let (v, used) = bincode::serde::decode_from_slice(body, config())
        .map_err(|e| CodecError::Decode(e.to_string()))?;
    if used != body.len() {
        return Err(CodecError::Decode(format!(
            "{} лишних байт в конце записи",
            body.len() - used
        )));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_refusals() {
        let v = (String::from("Смартека"), 42u64, vec![Some(1u8), None]);
        let b = encode(&v).expect("encodes");
        assert_eq!(b[0], ENCODING);
        let back: (String, u64, Vec<Option<u8>>) = decode(&b).expect("decodes");
        assert_eq!(back, v);
        assert!(matches!(decode::<u8>(&[]), Err(CodecError::Empty)));
        assert!(matches!(
            decode::<u8>(&[99, 1]),
            Err(CodecError::UnknownEncoding(99))
        ));
        assert!(matches!(
            decode::<String>(&[ENCODING, 200]),
            Err(CodecError::Decode(_))
        ));
    }

    #[test]
    fn large_records_are_compressed() {
        let text = "Практика направлена на повышение доступности медицинской помощи. ".repeat(40);
        let b = encode(&text).expect("encodes");
        assert_eq!(b[0], ENCODING_ZSTD);
        assert!(b.len() * 3 < text.len(), "{} of {}", b.len(), text.len());
        let back: String = decode(&b).expect("decodes");
        assert_eq!(back, text);
        let mut broken = b.clone();
        broken.truncate(b.len() / 2);
        assert!(decode::<String>(&broken).is_err());
    }
}
