//! Sync between a workstation's store and the central instance: the wire
//! types both sides speak (`protocol`) and the client that speaks them
//! (`client`). The server's side is in `crate::server`.

pub mod client;
pub mod protocol;
