//! The one place records are encoded: a format byte, then bincode 2 over
//! serde. Changing the encoding means a new format byte and a migration.

use serde::Serialize;
use serde::de::DeserializeOwned;

/// The encoding of every value in the store.
pub const ENCODING: u8 = 1;

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
    let mut out = vec![ENCODING];
    let body = bincode::serde::encode_to_vec(v, config())
        .map_err(|e| CodecError::Encode(e.to_string()))?;
    out.extend_from_slice(&body);
    Ok(out)
}

pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, CodecError> {
    let (&tag, body) = bytes.split_first().ok_or(CodecError::Empty)?;
    if tag != ENCODING {
        return Err(CodecError::UnknownEncoding(tag));
    }
    let (v, _) = bincode::serde::decode_from_slice(body, config())
        .map_err(|e| CodecError::Decode(e.to_string()))?;
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
}
