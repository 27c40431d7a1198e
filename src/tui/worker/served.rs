//! A session served over SSH: the files a request names are read in the
//! session's own directory on the server, and nowhere else; the sessions
//! of one server take turns at the heavy work (search, queues), so the
//! processor always has room to draw frames.

use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex, PoisonError};

use super::{Reply, Request};

/// What a session served over SSH gives its worker.
#[derive(Clone)]
pub struct Served {
    /// The session's own directory.
    pub files: PathBuf,
    /// The turns shared by the server's sessions.
    pub gate: Arc<Gate>,
    /// The query rows, made once for every session.
    pub queries: Arc<Mutex<Option<crate::service::query::Table>>>,
    /// Whose session it is: the other users are shown as the feed would
    /// show them to this one.
    pub user: crate::domain::UserId,
}

/// Whether a request is the heavy reading the sessions take turns at
/// (what reads many records); saves and steps never wait behind it.
pub(super) fn heavy(req: &Request) -> bool {
    matches!(
        req,
        Request::Search { .. }
            | Request::Facets { .. }
            | Request::Queues { .. }
            | Request::Preview { .. }
            | Request::Replications { .. }
            | Request::ReplicationSummary
            | Request::Inbox { .. }
    )
}

impl std::fmt::Debug for Served {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Served")
            .field("files", &self.files)
            .finish_non_exhaustive()
    }
}

/// A number of turns at the heavy work, shared by the sessions' workers.
pub struct Gate {
    free: Mutex<usize>,
    given_back: Condvar,
}

/// A turn; given back when dropped.
pub struct Turn<'a>(&'a Gate);

impl Gate {
    pub fn new(turns: usize) -> Self {
        Self {
            free: Mutex::new(turns.max(1)),
            given_back: Condvar::new(),
        }
    }

    /// Waits for a turn.
    pub fn enter(&self) -> Turn<'_> {
        let mut free = self.free.lock().unwrap_or_else(PoisonError::into_inner);
        while *free == 0 {
            free = self
                .given_back
                .wait(free)
                .unwrap_or_else(PoisonError::into_inner);
        }
        *free -= 1;
        Turn(self)
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        *self.0.free.lock().unwrap_or_else(PoisonError::into_inner) += 1;
        self.0.given_back.notify_one();
    }
}

/// A request whose local files are taken from `root` alone: a session
/// served over SSH reads no other file of the server.
pub(super) fn confined(mut req: Request, root: &std::path::Path) -> Request {
    use crate::service::practice::within;
    let inside = |p: &mut PathBuf| *p = within(root, &p.to_string_lossy()).into();
    match &mut req {
        Request::AttachDraft { source, .. } => *source = within(root, source),
        Request::Act { input, .. } | Request::Preview { input, .. } => {
            input.attach.iter_mut().for_each(inside);
        }
        Request::Replicate { input, .. } => {
            let input = input.as_mut();
            input
                .attach
                .iter_mut()
                .chain(input.letter.as_mut())
                .for_each(inside);
        }
        Request::People(p) => {
            if let super::people::PeopleRequest::Photo { path, .. } = p.as_mut() {
                *path = within(root, path);
            }
        }
        _ => {}
    }
    req
}

/// A reply of a session served over SSH as its user should read it:
/// paths inside their own directory, and where a missing file comes from.
pub(super) fn shown(reply: Reply, root: Option<&std::path::Path>) -> Reply {
    use crate::service::practice::in_own_files;
    let Some(root) = root else {
        return reply;
    };
    let say = |t: String| in_own_files(&t, root);
    match reply {
        Reply::Saved {
            id,
            result: Err(reasons),
        } => Reply::Saved {
            id,
            result: Err(reasons.into_iter().map(say).collect()),
        },
        Reply::Acted {
            ids,
            result: Err(e),
        } => Reply::Acted {
            ids,
            result: Err(say(e)),
        },
        Reply::Replicated(Err(e)) => Reply::Replicated(Err(say(e))),
        Reply::Printed(r) => Reply::Printed(r.map(say).map_err(say)),
        Reply::People(p) => match *p {
            super::people::PeopleReply::Me(Err(e)) => {
                Reply::People(Box::new(super::people::PeopleReply::Me(Err(say(e)))))
            }
            other => Reply::People(Box::new(other)),
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::Gate;
    use crate::service::practice::within;

    #[test]
    fn the_gate_gives_as_many_turns_as_it_has() {
        let gate = std::sync::Arc::new(Gate::new(2));
        let inside = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let most = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (g, i, m) = (gate.clone(), inside.clone(), most.clone());
                std::thread::spawn(move || {
                    for _ in 0..50 {
                        let _turn = g.enter();
                        let now = i.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
                        m.fetch_max(now, std::sync::atomic::Ordering::SeqCst);
                        std::thread::yield_now();
                        i.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().expect("joined");
        }
        assert!(most.load(std::sync::atomic::Ordering::SeqCst) <= 2);
        assert_eq!(inside.load(std::sync::atomic::Ordering::SeqCst), 0);
    }

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
        // Links stay links; nothing else passes as one.
        assert_eq!(
            within(&root, "https://example.org/x"),
            "https://example.org/x"
        );
        assert_eq!(
            within(&root, "x://../../ssh_host_ed25519_key"),
            format!("{r}/x:/ssh_host_ed25519_key")
        );
        // A link on the disk that leads out is not followed.
        std::os::unix::fs::symlink("/etc", root.join("out")).expect("symlink");
        assert!(!within(&root, "out/passwd").contains("/etc/passwd"));
        assert!(within(&root, "out/passwd").starts_with(&r));
    }
}
