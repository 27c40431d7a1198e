//! The bytes an SSH client's terminal sends, read into the workstation's
//! key events (terminput's reading of xterm and kitty sequences).

use crossterm::event::{Event, KeyEvent};

/// The longest sequence kept while waiting for its end.
const LONGEST: usize = 64;

/// Reads keys from the bytes of a session, a packet at a time.
#[derive(Debug, Default)]
pub struct Keys {
    pending: Vec<u8>,
}

impl Keys {
    /// The keys in one packet of input. A sequence cut between packets
    /// waits for the rest; `Esc` alone at the end of a packet is the key.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<KeyEvent> {
        let mut out = Vec::new();
        // A new key's sequence: what waited unfinished was no key, or was
        // `Esc` alone.
        if bytes.first() == Some(&0x1b) && !self.pending.is_empty() {
            if self.pending == [0x1b] {
                out.push(KeyEvent::from(crossterm::event::KeyCode::Esc));
            }
            self.pending.clear();
        }
        for (i, b) in bytes.iter().enumerate() {
            self.pending.push(*b);
            let more = i + 1 < bytes.len();
            if self.pending == [0x1b] && more {
                continue;
            }
            match terminput::Event::parse_from(&self.pending) {
                Ok(Some(ev)) => {
                    self.pending.clear();
                    if let Ok(Event::Key(k)) = terminput_crossterm::to_crossterm(ev) {
                        out.push(k);
                    }
                }
                Ok(None) if self.pending.len() < LONGEST => {}
                Ok(None) | Err(_) => self.pending.clear(),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyModifiers};

    fn codes(bytes: &[u8]) -> Vec<(KeyCode, KeyModifiers)> {
        Keys::default()
            .feed(bytes)
            .into_iter()
            .map(|k| (k.code, k.modifiers))
            .collect()
    }

    #[test]
    fn letters_cyrillic_and_controls() {
        let typed: Vec<KeyCode> = codes("qйЦ".as_bytes()).into_iter().map(|k| k.0).collect();
        assert_eq!(
            typed,
            vec![KeyCode::Char('q'), KeyCode::Char('й'), KeyCode::Char('Ц')]
        );
        assert_eq!(codes(b"\r")[0].0, KeyCode::Enter);
        assert_eq!(codes(b"\x7f")[0].0, KeyCode::Backspace);
        assert_eq!(codes(b"\t")[0].0, KeyCode::Tab);
        assert_eq!(
            codes(b"\x03"),
            vec![(KeyCode::Char('c'), KeyModifiers::CONTROL)]
        );
    }

    #[test]
    fn sequences_whole_split_and_escape_alone() {
        assert_eq!(
            codes(b"\x1b[A\x1b[B\x1b[5~\x1bOP")
                .into_iter()
                .map(|k| k.0)
                .collect::<Vec<_>>(),
            vec![KeyCode::Up, KeyCode::Down, KeyCode::PageUp, KeyCode::F(1)]
        );
        assert_eq!(codes(b"\x1b")[0].0, KeyCode::Esc);
        // A sequence cut between two packets.
        let mut k = Keys::default();
        assert!(k.feed(b"\x1b[").is_empty());
        assert_eq!(k.feed(b"B")[0].code, KeyCode::Down);
        // A letter cut inside its UTF-8 bytes.
        let bytes = "ж".as_bytes();
        assert!(k.feed(&bytes[..1]).is_empty());
        assert_eq!(k.feed(&bytes[1..])[0].code, KeyCode::Char('ж'));
        // An unfinished sequence gives way to the next key's.
        let mut k = Keys::default();
        assert!(k.feed(b"\x1b[").is_empty());
        assert_eq!(k.feed(b"\x1b[A")[0].code, KeyCode::Up);
        // Rubbish is dropped, and what follows is read.
        assert_eq!(
            codes(b"\x1b[99;99;99X")
                .into_iter()
                .chain(codes(b"x"))
                .last()
                .map(|k| k.0),
            Some(KeyCode::Char('x'))
        );
    }
}
