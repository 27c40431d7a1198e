//! A session served over SSH: the files a request names are read in the
//! session's own directory on the server, and nowhere else.

use super::Request;

/// A request whose local files are taken from `root` alone: a session
/// served over SSH reads no other file of the server.
pub(super) fn confined(req: Request, root: &std::path::Path) -> Request {
    use crate::service::practice::within;
    match req {
        Request::AttachDraft {
            user,
            id,
            source,
            kind,
        } => Request::AttachDraft {
            user,
            id,
            source: within(root, &source),
            kind,
        },
        Request::Act {
            user,
            ids,
            action,
            mut input,
        } => {
            for p in &mut input.attach {
                *p = within(root, &p.to_string_lossy()).into();
            }
            Request::Act {
                user,
                ids,
                action,
                input,
            }
        }
        Request::Replicate {
            user,
            id,
            action,
            mut input,
        } => {
            for p in input.attach.iter_mut().chain(input.letter.as_mut()) {
                *p = within(root, &p.to_string_lossy()).into();
            }
            Request::Replicate {
                user,
                id,
                action,
                input,
            }
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use crate::service::practice::within;

    #[test]
    fn paths_stay_in_the_sessions_directory() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("ssh").join("author");
        std::fs::create_dir_all(&root).expect("dir");
        let r = root.display().to_string();
        assert_eq!(within(&root, "письмо.pdf"), format!("{r}/письмо.pdf"));
        assert_eq!(within(&root, "../../etc/passwd"), format!("{r}/etc/passwd"));
        assert_eq!(within(&root, "/etc/passwd"), format!("{r}/etc/passwd"));
        // Read inside before: kept as it is.
        let inside = format!("{r}/a/b.pdf");
        assert_eq!(within(&root, &inside), inside);
        // Links stay links.
        assert_eq!(
            within(&root, "https://example.org/x"),
            "https://example.org/x"
        );
        // A link on the disk that leads out is not followed.
        std::os::unix::fs::symlink("/etc", root.join("out")).expect("symlink");
        assert!(!within(&root, "out/passwd").contains("/etc/passwd"));
        assert!(within(&root, "out/passwd").starts_with(&r));
    }
}
