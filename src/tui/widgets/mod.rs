//! Small drawing helpers shared by the views: the one generic table used for users, ACEs and
//! events, and text helpers (key hints, highlighted fields, popups).

pub mod table;
pub mod text;
