//! Fuzzy user search for the start screen: one haystack per user (sAMAccountName, UPN, display
//! name, mail), prepared once as a `Utf32String` when the directory arrives, matched with
//! nucleo-matcher on every keystroke. A query that only extends the previous (completed) one
//! searches the previous hits instead of every user, and a per-user bit set of the letters and
//! digits it contains rejects users that lack a character of the query before nucleo scores
//! anything. Neither helps a query like "contoso" that matches nearly everyone, so matching is
//! time-sliced (as fzf and skim do): a keystroke scores one slice of the candidates and shows the
//! best of what is scored so far; `advance` scores the next slice (the runtime calls it between
//! keystrokes), merging it into the list until every candidate is scored. A new query drops the
//! rest of the previous one's work. The completed list equals scoring everyone at once. Knows
//! nothing about drawing; the view asks for the match positions of the rows it shows.

use std::ops::Range;

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32String};

use crate::directory::DirectoryUser;

/// The searchable text of one user, already sanitized for display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchFields {
    pub sam_account_name: String,
    pub user_principal_name: String,
    pub display_name: String,
    pub mail: String,
}

impl SearchFields {
    pub fn of(user: &DirectoryUser) -> SearchFields {
        let opt = |v: &Option<String>| v.as_deref().map(crate::sanitize::line).unwrap_or_default();
        SearchFields {
            sam_account_name: crate::sanitize::line(&user.sam_account_name),
            user_principal_name: opt(&user.user_principal_name),
            display_name: opt(&user.display_name),
            mail: opt(&user.mail),
        }
    }

    fn in_order(&self) -> [&str; 4] {
        [
            &self.sam_account_name,
            &self.user_principal_name,
            &self.display_name,
            &self.mail,
        ]
    }
}

/// Which searchable field a highlighted position falls in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    SamAccountName = 0,
    UserPrincipalName = 1,
    DisplayName = 2,
    Mail = 3,
}

struct Entry {
    fields: SearchFields,
    haystack: Utf32String,
    /// Which of a-z and 0-9 the haystack contains, after nucleo's case folding and normalization.
    chars: CharSet,
    /// Where each field sits in `haystack`, in nucleo's units (one per grapheme).
    spans: [Range<u32>; 4],
}

/// A set of the ASCII letters and digits (bits 0-25: a-z, 26-35: 0-9).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct CharSet(u64);

impl CharSet {
    fn bit(c: char) -> Option<u64> {
        let c = nucleo_matcher::chars::to_lower_case(nucleo_matcher::chars::normalize(c));
        match c {
            'a'..='z' => Some(1 << (c as u32 - 'a' as u32)),
            '0'..='9' => Some(1 << (26 + c as u32 - '0' as u32)),
            _ => None,
        }
    }

    fn of(text: &str) -> CharSet {
        CharSet(text.chars().filter_map(CharSet::bit).fold(0, |acc, b| acc | b))
    }

    fn contains_all(self, needed: CharSet) -> bool {
        self.0 & needed.0 == needed.0
    }
}

/// How many candidates one worker scores per slice: 1-5 ms of nucleo on a loaded core, so
/// a keystroke shows a list well inside 10 ms whatever the query matches.
const SLICE_PER_WORKER: usize = 2_000;

/// Below this many candidates one thread scores faster than several can be started.
const PARALLEL_FROM: usize = 2 * SLICE_PER_WORKER;

/// The characters a one-character query is answered from the precomputed lists for: lowercase,
/// so smart case keeps it case-insensitive and the list holds exactly the users whose folded
/// text contains it.
fn precomputed_bit(query: &str) -> Option<usize> {
    let mut chars = query.chars();
    let c = chars.next()?;
    if chars.next().is_some() || !(c.is_ascii_lowercase() || c.is_ascii_digit()) {
        return None;
    }
    CharSet::bit(c).map(|b| b.trailing_zeros() as usize)
}

/// Scores every user against each one-character query it can match (see `SearchIndex::singles`).
fn single_character_hits(entries: &[Entry]) -> Vec<Vec<(u32, u32)>> {
    let queries: Vec<char> = ('a'..='z').chain('0'..='9').collect();
    let patterns: Vec<Pattern> = queries
        .iter()
        .map(|c| Pattern::parse(&c.to_string(), CaseMatching::Smart, Normalization::Smart))
        .collect();
    let mut matcher = Matcher::new(Config::DEFAULT);
    let mut lists: Vec<Vec<(u32, u32)>> = vec![Vec::new(); queries.len()];
    for (user, entry) in entries.iter().enumerate() {
        let Ok(user) = u32::try_from(user) else { break };
        for (bit, (pattern, list)) in patterns.iter().zip(lists.iter_mut()).enumerate() {
            if entry.chars.0 & (1 << bit) == 0 {
                continue;
            }
            if let Some(score) = pattern.score(entry.haystack.slice(..), &mut matcher) {
                list.push((user, score));
            }
        }
    }
    for list in &mut lists {
        list.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    }
    lists
}

/// One user that matched, with its score (higher is better).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub user: usize,
    pub score: u32,
}

/// The prepared haystacks of every user, indexed like `Directory::users`.
pub struct SearchIndex {
    entries: Vec<Entry>,
    /// For each letter or digit (by `CharSet` bit), every user containing it with the score
    /// nucleo gives that one-character query, best first. The first keystroke matches nearly
    /// everyone, so scoring it live is the slowest keystroke of a search; this makes it a copy.
    singles: Vec<Vec<(u32, u32)>>,
}

/// Separates fields in the haystack so that a match cannot run from one field into the next
/// without paying a gap penalty; it is never typed in a query.
const FIELD_SEPARATOR: &str = "  ";

impl SearchIndex {
    pub fn new(users: &[DirectoryUser]) -> SearchIndex {
        SearchIndex::from_fields(users.iter().map(SearchFields::of))
    }

    pub fn from_fields(fields: impl IntoIterator<Item = SearchFields>) -> SearchIndex {
        let entries: Vec<Entry> = fields
            .into_iter()
            .map(|fields| {
                let mut text = String::new();
                let mut spans: [Range<u32>; 4] = Default::default();
                let mut at = 0u32;
                for (i, f) in fields.in_order().into_iter().enumerate() {
                    if i > 0 {
                        text.push_str(FIELD_SEPARATOR);
                        at += FIELD_SEPARATOR.len() as u32;
                    }
                    let len = nucleo_matcher::chars::graphemes(f).count() as u32;
                    text.push_str(f);
                    if let Some(span) = spans.get_mut(i) {
                        *span = at..at + len;
                    }
                    at += len;
                }
                Entry {
                    chars: CharSet::of(&text),
                    haystack: Utf32String::from(text),
                    fields,
                    spans,
                }
            })
            .collect();
        let singles = single_character_hits(&entries);
        SearchIndex { entries, singles }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn fields(&self, user: usize) -> Option<&SearchFields> {
        self.entries.get(user).map(|e| &e.fields)
    }
}

/// The candidates of the live query not scored yet.
struct Pending {
    candidates: Vec<usize>,
    /// How many of `candidates` are scored (their hits are in `Search::hits`).
    scored: usize,
    needed: CharSet,
}

/// How far the live query's matching has got, for the "matching… 23%" indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub scored: usize,
    pub total: usize,
}

impl Progress {
    pub fn percent(self) -> usize {
        (self.scored * 100).checked_div(self.total).unwrap_or(100)
    }
}

/// The live query and its hits. Owns the matchers' scratch memory (one per worker) so keystrokes
/// do not allocate it.
pub struct Search {
    matchers: Vec<Matcher>,
    query: String,
    pattern: Pattern,
    /// Best first; while `pending` is set, the best of the candidates scored so far.
    hits: Vec<Hit>,
    pending: Option<Pending>,
}

impl Default for Search {
    fn default() -> Self {
        let workers = std::thread::available_parallelism()
            .map_or(1, usize::from)
            .clamp(1, 8);
        Search {
            matchers: (0..workers).map(|_| Matcher::new(Config::DEFAULT)).collect(),
            query: String::new(),
            pattern: Pattern::default(),
            hits: Vec::new(),
            pending: None,
        }
    }
}

impl std::fmt::Debug for Search {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Search")
            .field("query", &self.query)
            .field("hits", &self.hits.len())
            .field("progress", &self.progress())
            .finish()
    }
}

/// Pattern syntax (negation, anchors, exact) can make a longer query match more, so narrowing
/// the previous hits is only safe for plain text.
fn is_plain(query: &str) -> bool {
    !query.chars().any(|c| matches!(c, '!' | '^' | '$' | '\'' | '\\'))
}

/// Scores `users` against `pattern`, skipping those missing a character the query needs.
fn score_all(
    index: &SearchIndex,
    users: &[usize],
    pattern: &Pattern,
    needed: CharSet,
    matcher: &mut Matcher,
) -> Vec<Hit> {
    users
        .iter()
        .filter_map(|&user| {
            let entry = index.entries.get(user)?;
            if !entry.chars.contains_all(needed) {
                return None;
            }
            pattern
                .score(entry.haystack.slice(..), matcher)
                .map(|score| Hit { user, score })
        })
        .collect()
}

/// Scores one slice of candidates, split over the workers when it is large enough to pay for them.
fn score_slice(
    matchers: &mut [Matcher],
    index: &SearchIndex,
    users: &[usize],
    pattern: &Pattern,
    needed: CharSet,
) -> Vec<Hit> {
    if users.len() < PARALLEL_FROM || matchers.len() < 2 {
        return match matchers.first_mut() {
            Some(m) => score_all(index, users, pattern, needed, m),
            None => Vec::new(),
        };
    }
    let chunk = users.len().div_ceil(matchers.len());
    std::thread::scope(|scope| {
        let workers: Vec<_> = users
            .chunks(chunk)
            .zip(matchers.iter_mut())
            .map(|(users, m)| scope.spawn(move || score_all(index, users, pattern, needed, m)))
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_default())
            .collect()
    })
}

/// Higher score first, ties in directory order: a total order, so merging sorted slices gives
/// exactly the list sorting all hits at once would.
fn best_first(a: &Hit, b: &Hit) -> std::cmp::Ordering {
    b.score.cmp(&a.score).then(a.user.cmp(&b.user))
}

/// Merges two lists sorted by `best_first`.
fn merge(old: Vec<Hit>, fresh: Vec<Hit>) -> Vec<Hit> {
    if old.is_empty() {
        return fresh;
    }
    let mut out = Vec::with_capacity(old.len() + fresh.len());
    let (mut a, mut b) = (old.into_iter().peekable(), fresh.into_iter().peekable());
    while let (Some(x), Some(y)) = (a.peek(), b.peek()) {
        let next = if best_first(x, y).is_le() {
            a.next()
        } else {
            b.next()
        };
        out.extend(next);
    }
    out.extend(a);
    out.extend(b);
    out
}

impl Search {
    pub fn query(&self) -> &str {
        &self.query
    }

    pub fn hits(&self) -> &[Hit] {
        &self.hits
    }

    /// How far matching the query has got; `None` once every candidate is scored.
    pub fn progress(&self) -> Option<Progress> {
        self.pending.as_ref().map(|p| Progress {
            scored: p.scored,
            total: p.candidates.len(),
        })
    }

    /// Filters `index` by `query`; hits are best first, ties in directory order. An empty query
    /// lists every user. Scores only the first slice of the candidates: call `advance` until
    /// `progress` is `None` for the complete list.
    pub fn update(&mut self, index: &SearchIndex, query: &str) {
        // Narrowing needs the previous query's complete hits.
        let narrows = self.pending.is_none()
            && !self.query.is_empty()
            && query.len() > self.query.len()
            && query.starts_with(&self.query)
            && is_plain(query);
        self.query = query.to_string();
        self.pattern = Pattern::parse(query, CaseMatching::Smart, Normalization::Smart);
        self.pending = None;
        if query.trim().is_empty() {
            self.hits = (0..index.len()).map(|user| Hit { user, score: 0 }).collect();
            return;
        }
        if let Some(list) = precomputed_bit(query).and_then(|bit| index.singles.get(bit)) {
            self.hits = list
                .iter()
                .map(|&(user, score)| Hit {
                    user: user as usize,
                    score,
                })
                .collect();
            return;
        }
        // Only plain text can be required character by character; pattern syntax may negate.
        let needed = if is_plain(query) {
            CharSet::of(query)
        } else {
            CharSet::default()
        };
        let candidates: Vec<usize> = if narrows {
            self.hits.iter().map(|h| h.user).collect()
        } else {
            (0..index.len()).collect()
        };
        self.hits.clear();
        self.pending = Some(Pending {
            candidates,
            scored: 0,
            needed,
        });
        // One worker only: on a busy machine waiting for a second thread costs more than the
        // slice, and this slice is what the keystroke waits for.
        self.score_next(index, 1);
    }

    /// Scores the next slice of the candidates and merges its hits into the list. Returns
    /// whether candidates remain.
    pub fn advance(&mut self, index: &SearchIndex) -> bool {
        self.score_next(index, self.matchers.len())
    }

    fn score_next(&mut self, index: &SearchIndex, workers: usize) -> bool {
        let Some(pending) = self.pending.as_mut() else {
            return false;
        };
        let matchers = self.matchers.get_mut(..workers.max(1)).unwrap_or_default();
        let from = pending.scored;
        let to = (from + SLICE_PER_WORKER * matchers.len().max(1)).min(pending.candidates.len());
        let slice = pending.candidates.get(from..to).unwrap_or_default();
        let mut fresh = score_slice(matchers, index, slice, &self.pattern, pending.needed);
        pending.scored = to;
        if to >= pending.candidates.len() {
            self.pending = None;
        }
        fresh.sort_unstable_by(best_first);
        self.hits = merge(std::mem::take(&mut self.hits), fresh);
        self.pending.is_some()
    }

    /// Rebuilds the hits after the index changed (a reload), keeping the query.
    pub fn refresh(&mut self, index: &SearchIndex) {
        let query = std::mem::take(&mut self.query);
        self.hits.clear();
        self.pending = None;
        self.update(index, &query);
    }

    /// For each field of `user`, the grapheme positions the query matched, for highlighting.
    /// `matcher` is scratch memory; the view brings its own so drawing needs only `&self`.
    pub fn highlights(&self, index: &SearchIndex, user: usize, matcher: &mut Matcher) -> [Vec<u32>; 4] {
        let mut out: [Vec<u32>; 4] = Default::default();
        let Some(entry) = index.entries.get(user) else {
            return out;
        };
        if self.query.trim().is_empty() {
            return out;
        }
        let mut positions = Vec::new();
        if self
            .pattern
            .indices(entry.haystack.slice(..), matcher, &mut positions)
            .is_none()
        {
            return out;
        }
        for p in positions {
            for (field, span) in entry.spans.iter().enumerate() {
                if span.contains(&p) {
                    if let Some(v) = out.get_mut(field) {
                        v.push(p - span.start);
                    }
                }
            }
        }
        for v in &mut out {
            v.sort_unstable();
            v.dedup();
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(sam: &str, upn: &str, display: &str, mail: &str) -> SearchFields {
        SearchFields {
            sam_account_name: sam.into(),
            user_principal_name: upn.into(),
            display_name: display.into(),
            mail: mail.into(),
        }
    }

    fn index() -> SearchIndex {
        SearchIndex::from_fields([
            fields("alice", "alice@contoso.com", "Alice Archer", "alice@contoso.com"),
            fields("bob", "bob@contoso.com", "Bob Builder", "bob.builder@contoso.com"),
            fields("bbo", "bbo@contoso.com", "Bernard Bonobo", ""),
            fields("carol", "carol@fabrikam.com", "José Müller", "jose@fabrikam.com"),
        ])
    }

    fn users(s: &Search) -> Vec<usize> {
        s.hits().iter().map(|h| h.user).collect()
    }

    #[test]
    fn empty_query_lists_everyone_in_order() {
        let idx = index();
        let mut s = Search::default();
        s.update(&idx, "");
        assert_eq!(users(&s), vec![0, 1, 2, 3]);
    }

    #[test]
    fn matches_each_field_and_ranks_exact_prefix_first() {
        let idx = index();
        let mut s = Search::default();
        s.update(&idx, "bob");
        assert_eq!(users(&s).first(), Some(&1));
        s.update(&idx, "fabrikam");
        assert_eq!(users(&s), vec![3]);
        s.update(&idx, "builder");
        assert_eq!(users(&s), vec![1]);
        // Normalization: an unaccented query finds the accented display name.
        s.update(&idx, "muller");
        assert_eq!(users(&s).first(), Some(&3));
    }

    #[test]
    fn narrowing_gives_the_same_hits_as_a_fresh_search() {
        let idx = index();
        let mut typed = Search::default();
        for q in ["c", "co", "con", "cont", "contoso"] {
            typed.update(&idx, q);
        }
        let mut fresh = Search::default();
        fresh.update(&idx, "contoso");
        assert_eq!(typed.hits(), fresh.hits());
        // Deleting a character widens again.
        typed.update(&idx, "a");
        fresh.update(&idx, "a");
        assert_eq!(typed.hits(), fresh.hits());
        // Negation is not a narrowing.
        typed.update(&idx, "!");
        typed.update(&idx, "!bob");
        fresh.update(&idx, "!bob");
        assert_eq!(typed.hits(), fresh.hits());
        assert!(!users(&typed).contains(&1));
    }

    #[test]
    fn the_character_prefilter_never_drops_a_match() {
        // Accents and case fold to the ASCII letter, as nucleo matches them.
        assert!(CharSet::of("José MÜLLER").contains_all(CharSet::of("josemuller")));
        assert!(!CharSet::of("alice").contains_all(CharSet::of("bob")));
        let idx = index();
        let mut s = Search::default();
        s.update(&idx, "müller");
        assert_eq!(users(&s), vec![3]);
    }

    /// What nucleo itself gives, scoring every user; the reference the shortcuts must equal.
    fn scored_by_nucleo(idx: &SearchIndex, query: &str) -> Vec<Hit> {
        let pattern = Pattern::parse(query, CaseMatching::Smart, Normalization::Smart);
        let all: Vec<usize> = (0..idx.len()).collect();
        let mut m = Matcher::new(Config::DEFAULT);
        let mut hits = score_all(idx, &all, &pattern, CharSet::default(), &mut m);
        hits.sort_unstable_by(best_first);
        hits
    }

    #[test]
    fn one_character_queries_from_the_lists_equal_live_scoring() {
        let idx = index();
        let mut s = Search::default();
        for c in ('a'..='z').chain('0'..='9').chain(['B', '@', 'é', '.']) {
            let q = c.to_string();
            s.update(&idx, &q);
            assert_eq!(s.hits(), scored_by_nucleo(&idx, &q).as_slice(), "{q}");
        }
        assert_eq!(precomputed_bit("b"), Some(1));
        assert_eq!(precomputed_bit("B"), None);
        assert_eq!(precomputed_bit("bo"), None);
    }

    /// A synthetic directory large enough to take many slices, with names that share letters.
    fn many(n: usize) -> SearchIndex {
        let first = ["Anna", "Bob", "Carlos", "José", "Kofi", "María"];
        let last = ["Smith", "García", "Müller", "Cohen", "O'Brien"];
        SearchIndex::from_fields((0..n).map(|i| {
            let f = first.get(i % first.len()).copied().unwrap_or("x");
            let l = last.get(i / first.len() % last.len()).copied().unwrap_or("y");
            let domain = if i % 10 == 0 {
                "fabrikam.com"
            } else {
                "contoso.com"
            };
            let sam = format!("{}{l}{i}", f.get(..1).unwrap_or("x")).to_lowercase();
            fields(&sam, &format!("{sam}@{domain}"), &format!("{f} {l}"), "")
        }))
    }

    fn run_to_completion(s: &mut Search, idx: &SearchIndex) -> usize {
        let mut slices = 1;
        while s.advance(idx) {
            slices += 1;
        }
        assert_eq!(s.progress(), None);
        slices
    }

    #[test]
    fn sliced_search_completes_to_the_one_shot_result() {
        let idx = many(20_000);
        for query in [
            "co", "conto", "contoso", "mgarcia", "jose 17", "!smith", "^bob", "zzqx",
        ] {
            let mut s = Search::default();
            s.update(&idx, query);
            let slices = run_to_completion(&mut s, &idx);
            assert_eq!(s.hits(), scored_by_nucleo(&idx, query).as_slice(), "{query}");
            assert!(slices > 1, "{query}: 20,000 users must take several slices");
        }
    }

    #[test]
    fn the_first_slice_shows_the_best_of_what_it_scored_and_reports_progress() {
        let idx = many(20_000);
        let mut s = Search::default();
        s.update(&idx, "contoso");
        let progress = s.progress().expect("20,000 users take more than one slice");
        assert!(
            progress.scored > 0 && progress.scored < progress.total,
            "{progress:?}"
        );
        assert_eq!(progress.total, 20_000);
        assert!(progress.percent() < 100);
        assert!(!s.hits().is_empty());
        assert!(s.hits().windows(2).all(|w| best_first(&w[0], &w[1]).is_lt()));
        assert!(s.hits().iter().all(|h| h.user < progress.scored));
    }

    #[test]
    fn a_new_keystroke_drops_the_unfinished_work_and_never_narrows_from_it() {
        let idx = many(20_000);
        let mut s = Search::default();
        s.update(&idx, "co");
        assert!(s.progress().is_some());
        // Extends an unfinished query: must search everyone, not the partial hits.
        s.update(&idx, "con");
        assert_eq!(s.progress().map(|p| p.total), Some(20_000));
        run_to_completion(&mut s, &idx);
        assert_eq!(s.hits(), scored_by_nucleo(&idx, "con").as_slice());
        // Typed to completion key by key, narrowing from complete hits, it still equals one-shot.
        for q in ["cont", "conto", "contos"] {
            s.update(&idx, q);
            run_to_completion(&mut s, &idx);
        }
        assert_eq!(s.hits(), scored_by_nucleo(&idx, "contos").as_slice());
    }

    #[test]
    fn one_worker_gives_the_same_result_as_several() {
        let idx = many(PARALLEL_FROM * 3);
        let mut parallel = Search::default();
        parallel.update(&idx, "kcohen1");
        run_to_completion(&mut parallel, &idx);
        let mut single = Search {
            matchers: vec![Matcher::new(Config::DEFAULT)],
            ..Search::default()
        };
        single.update(&idx, "kcohen1");
        run_to_completion(&mut single, &idx);
        assert_eq!(parallel.hits(), single.hits());
        assert!(!single.hits().is_empty());
    }

    #[test]
    fn highlights_are_per_field_positions() {
        let idx = index();
        let mut s = Search::default();
        s.update(&idx, "bob");
        let mut m = Matcher::new(Config::DEFAULT);
        let h = s.highlights(&idx, 1, &mut m);
        // Three matched positions, consecutive, all in one field.
        let hit: Vec<&Vec<u32>> = h.iter().filter(|v| !v.is_empty()).collect();
        assert_eq!(hit.len(), 1, "{h:?}");
        assert!(
            hit.first()
                .is_some_and(|v| v.len() == 3 && v.windows(2).all(|w| w[1] == w[0] + 1)),
            "{h:?}"
        );
        assert_eq!(s.highlights(&idx, 99, &mut m), <[Vec<u32>; 4]>::default());
    }
}
