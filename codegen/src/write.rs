//! The only file I/O: put sets of generated files in place atomically, and read back what a
//! migrator written before holds ([`read_previous`]).
//!
//! Every file of every set is first written to a temporary folder beside its target folder
//! (same file system, so a rename is atomic); only when all are written are they renamed into
//! place, each file it replaces (or removes as stale) first moved aside into the temporary
//! folder. A failure at any point, while writing or while renaming, leaves every previous file
//! as it was (renames done are undone) and removes the temporary folders; should an undo fail,
//! the folder holding the previous file is kept and the error names it. (A process killed
//! half-way through the renames leaves the previous files in `.<folder>.sqlite2pg-<pid>`.)
//!
//! Generated files of an earlier run that the new run no longer produces (a dropped table) are
//! removed, recognised by their first line ([`crate::BANNER_PREFIX`]); files without it are
//! never touched.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::{BANNER_PREFIX, OutputFile, Overwrite};

/// What a write did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteSummary {
    /// Files written (full paths), sorted.
    pub written: Vec<PathBuf>,
    /// Files kept because they exist and are written only when absent.
    pub kept: Vec<PathBuf>,
    /// Stale generated files removed.
    pub removed: Vec<PathBuf>,
}

/// What the migrator folder `dir` holds from an earlier `generate`: `None` when it has no
/// history and no generated migrator (nothing to build on: a first generation). A generated
/// `src/lib.rs` without a history is an error ([`Error::NoHistory`]): its migrations may have run
/// and must not be rewritten blindly.
pub fn read_previous(dir: &Path) -> Result<Option<crate::migration::Previous>> {
    let path = dir.join(crate::history::HISTORY_FILE);
    let text = match fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return if is_generated(&dir.join("src/lib.rs")) { Err(Error::NoHistory { dir: dir.to_path_buf() }) } else { Ok(None) };
        }
        Err(e) => return Err(Error::Io { path, source: e }),
    };
    let history: crate::history::History = serde_json::from_str(&text).map_err(|e| Error::HistoryFile { path: path.clone(), message: e.to_string() })?;
    if history.format != crate::history::HISTORY_FORMAT {
        return Err(Error::HistoryFile { path, message: format!("format {} (this sqlite2pg reads format {})", history.format, crate::history::HISTORY_FORMAT) });
    }
    let mut files = std::collections::BTreeMap::new();
    for module in &history.migrations {
        let file = dir.join("src").join(format!("{module}.rs"));
        match fs::read_to_string(&file) {
            Ok(contents) => {
                files.insert(module.clone(), contents);
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(Error::MigrationMissing { module: module.clone() }),
            Err(e) => return Err(Error::Io { path: file, source: e }),
        }
    }
    let hand_written = hand_written(dir, &history.migrations)?;
    Ok(Some(crate::migration::Previous { history, files, hand_written }))
}

/// The migrations the migrator's history lists (none when it has no readable history): what a
/// migrator written afresh replaces, as opposed to the user's own.
pub fn history_migrations(dir: &Path) -> Vec<String> {
    fs::read_to_string(dir.join(crate::history::HISTORY_FILE))
        .ok()
        .and_then(|text| serde_json::from_str::<crate::history::History>(&text).ok())
        .map(|h| h.migrations)
        .unwrap_or_default()
}

/// The migrations the migrator's `lib.rs` lists that the history does not (the user's own),
/// each with the one it follows there; each must have its file.
pub fn hand_written(dir: &Path, generated: &[String]) -> Result<Vec<crate::migration::HandWritten>> {
    let lib = match fs::read_to_string(dir.join("src/lib.rs")) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::Io { path: dir.join("src/lib.rs"), source: e }),
    };
    let listed = crate::migration::listed_migrations(&lib);
    let mut out = Vec::new();
    let mut after: Option<String> = None;
    for module in listed {
        let src = dir.join("src");
        // sqlite2pg's own migrations (listed in the history, or carrying its banner).
        if generated.contains(&module) || is_generated(&src.join(format!("{module}.rs"))) {
            after = Some(module);
            continue;
        }
        if !src.join(format!("{module}.rs")).exists() && !src.join(&module).join("mod.rs").exists() {
            return Err(Error::HandWrittenMissing { module });
        }
        out.push(crate::migration::HandWritten { module: module.clone(), after: after.clone() });
        after = Some(module);
    }
    Ok(out)
}

/// A folder being staged: its temporary twin and the files to move.
struct Staged {
    temp: PathBuf,
    moves: Vec<(PathBuf, PathBuf)>,
    stale: Vec<PathBuf>,
}

/// Write each `(folder, files)` set. Folders are created when missing.
pub fn write_file_sets(sets: &[(&Path, &[OutputFile])]) -> Result<WriteSummary> {
    let mut staged = Vec::new();
    let mut summary = WriteSummary::default();
    for (dir, files) in sets {
        match stage(dir, files, &mut summary) {
            Ok(s) => staged.push(s),
            Err(e) => {
                for s in &staged {
                    let _ = fs::remove_dir_all(&s.temp);
                }
                return Err(e);
            }
        }
    }
    let mut done: Vec<Step> = Vec::new();
    if let Err(e) = apply(&staged, &mut done, &mut summary) {
        // Undo in reverse order, every step even after one fails, so every previous file that
        // can be is back where it was.
        let mut undone = true;
        for step in done.iter().rev() {
            undone &= step.undo();
        }
        if !undone {
            // A previous file could not be put back: its copy is in the staging folder, which
            // is kept and named rather than removed.
            let kept: Vec<String> = staged.iter().map(|s| s.temp.display().to_string()).collect();
            return Err(Error::UndoFailed { cause: Box::new(e), kept: kept.join(", ") });
        }
        for s in &staged {
            let _ = fs::remove_dir_all(&s.temp);
        }
        return Err(e);
    }
    for s in &staged {
        fs::remove_dir_all(&s.temp).map_err(Error::io(&s.temp))?;
    }
    summary.written.sort();
    summary.removed.sort();
    summary.kept.sort();
    Ok(summary)
}

/// One change made to the target folders, and how to take it back.
enum Step {
    /// `path` did not exist and now holds a new file.
    Created { path: PathBuf },
    /// `path`'s previous file was moved to `backup`, and `path` holds a new file (or nothing,
    /// for a stale file removed).
    Replaced { path: PathBuf, backup: PathBuf },
}

impl Step {
    /// Take the step back; whether that worked (a file never created needs no removal).
    fn undo(&self) -> bool {
        match self {
            Step::Created { path } => fs::remove_file(path).is_ok() || !path.is_file(),
            Step::Replaced { path, backup } => fs::rename(backup, path).is_ok(),
        }
    }
}

/// Moves every staged file into place and removes stale files, recording each step. Replaced
/// and removed files are first moved into the staging folder, so a failure half-way can put
/// them back: the run changes all the files or none.
fn apply(staged: &[Staged], done: &mut Vec<Step>, summary: &mut WriteSummary) -> Result<()> {
    for (n, s) in staged.iter().enumerate() {
        let backups = s.temp.join(".previous");
        fs::create_dir_all(&backups).map_err(Error::io(&backups))?;
        let backup_of = |i: usize| backups.join(format!("{n}-{i}"));
        for (i, (from, to)) in s.moves.iter().enumerate() {
            if let Some(parent) = to.parent() {
                fs::create_dir_all(parent).map_err(Error::io(parent))?;
            }
            if to.is_file() {
                let backup = backup_of(i);
                fs::rename(to, &backup).map_err(Error::io(to))?;
                done.push(Step::Replaced { path: to.clone(), backup });
            } else {
                done.push(Step::Created { path: to.clone() });
            }
            fs::rename(from, to).map_err(Error::io(to))?;
            summary.written.push(to.clone());
        }
        for (i, f) in s.stale.iter().enumerate() {
            let backup = backup_of(s.moves.len() + i);
            fs::rename(f, &backup).map_err(Error::io(f))?;
            done.push(Step::Replaced { path: f.clone(), backup });
            summary.removed.push(f.clone());
        }
    }
    Ok(())
}

fn stage(dir: &Path, files: &[OutputFile], summary: &mut WriteSummary) -> Result<Staged> {
    fs::create_dir_all(dir).map_err(Error::io(dir))?;
    let name = dir.file_name().map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    let parent = dir.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let temp = parent.join(format!(".{name}.sqlite2pg-{}", std::process::id()));
    if temp.exists() {
        fs::remove_dir_all(&temp).map_err(Error::io(&temp))?;
    }
    let mut staged = Staged { temp: temp.clone(), moves: Vec::new(), stale: Vec::new() };
    let result = (|| {
        for f in files {
            let target = dir.join(&f.path);
            if f.overwrite == Overwrite::IfAbsent && target.exists() {
                summary.kept.push(target);
                continue;
            }
            let tmp = temp.join(&f.path);
            if let Some(p) = tmp.parent() {
                fs::create_dir_all(p).map_err(Error::io(p))?;
            }
            fs::write(&tmp, &f.contents).map_err(Error::io(&tmp))?;
            staged.moves.push((tmp, target));
        }
        // Stale generated files: in the folders this set writes to, not produced now.
        let mut folders: Vec<PathBuf> = files.iter().map(|f| dir.join(&f.path).parent().map(Path::to_path_buf).unwrap_or_else(|| dir.to_path_buf())).collect();
        folders.sort();
        folders.dedup();
        for folder in folders {
            let Ok(entries) = fs::read_dir(&folder) else { continue };
            let mut found: Vec<PathBuf> = entries.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "rs")).collect();
            found.sort();
            for path in found {
                let produced = files.iter().any(|f| dir.join(&f.path) == path);
                if !produced && is_generated(&path) {
                    staged.stale.push(path);
                }
            }
        }
        Ok(())
    })();
    match result {
        Ok(()) => Ok(staged),
        Err(e) => {
            let _ = fs::remove_dir_all(&temp);
            Err(e)
        }
    }
}

fn is_generated(path: &Path) -> bool {
    fs::read_to_string(path).is_ok_and(|s| s.starts_with(BANNER_PREFIX))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, contents: &str) -> OutputFile {
        OutputFile { path: path.into(), contents: contents.to_string(), overwrite: Overwrite::Always }
    }

    #[test]
    fn writes_replaces_and_removes_only_generated_stale_files() -> Result<()> {
        let tmp = tempfile::tempdir().map_err(Error::io("tempdir"))?;
        let dir = tmp.path().join("out");
        let first = [file("a.rs", "//! Generated by sqlite2pg a\n"), file("b.rs", "//! Generated by sqlite2pg b\n")];
        write_file_sets(&[(&dir, &first)])?;
        fs::write(dir.join("mine.rs"), "//! hand-written\n").map_err(Error::io("mine"))?;
        let second = [file("a.rs", "//! Generated by sqlite2pg a2\n"), OutputFile { overwrite: Overwrite::IfAbsent, ..file("mine.rs", "x") }];
        let summary = write_file_sets(&[(&dir, &second)])?;
        assert_eq!(fs::read_to_string(dir.join("a.rs")).ok().as_deref(), Some("//! Generated by sqlite2pg a2\n"));
        assert!(!dir.join("b.rs").exists(), "stale generated file removed");
        assert_eq!(fs::read_to_string(dir.join("mine.rs")).ok().as_deref(), Some("//! hand-written\n"));
        assert_eq!(summary.removed, vec![dir.join("b.rs")]);
        assert!(fs::read_dir(tmp.path()).map_err(Error::io("ls"))?.flatten().all(|e| !e.file_name().to_string_lossy().starts_with('.')), "no temporary folder left");
        Ok(())
    }

    #[test]
    fn a_failed_write_leaves_previous_files_untouched() -> Result<()> {
        let tmp = tempfile::tempdir().map_err(Error::io("tempdir"))?;
        let dir = tmp.path().join("out");
        write_file_sets(&[(&dir, &[file("a.rs", "//! Generated by sqlite2pg old\n")])])?;
        // A path that cannot be written (a file where a folder must go) fails the second set.
        let blocker = tmp.path().join("blocked");
        fs::write(&blocker, "not a folder").map_err(Error::io("blocker"))?;
        let result = write_file_sets(&[(&dir, &[file("a.rs", "//! Generated by sqlite2pg new\n")]), (&blocker, &[file("x.rs", "x")])]);
        assert!(result.is_err());
        assert_eq!(fs::read_to_string(dir.join("a.rs")).ok().as_deref(), Some("//! Generated by sqlite2pg old\n"));
        Ok(())
    }

    #[test]
    fn a_rename_failing_half_way_puts_every_file_back() -> Result<()> {
        let tmp = tempfile::tempdir().map_err(Error::io("tempdir"))?;
        let (first, second) = (tmp.path().join("entities"), tmp.path().join("migrator"));
        write_file_sets(&[(&first, &[file("a.rs", "//! Generated by sqlite2pg a old\n"), file("b.rs", "//! Generated by sqlite2pg b old\n")]), (&second, &[file("m.rs", "//! Generated by sqlite2pg m old\n")])])?;
        // Staging succeeds, but the second set's `x.rs` is a non-empty folder: its rename fails
        // after the first set's files are already in place.
        fs::create_dir_all(second.join("x.rs/inside")).map_err(Error::io("x.rs"))?;
        let result = write_file_sets(&[
            (&first, &[file("a.rs", "//! Generated by sqlite2pg a new\n"), file("c.rs", "//! Generated by sqlite2pg c new\n")]),
            (&second, &[file("m.rs", "//! Generated by sqlite2pg m new\n"), file("x.rs", "//! Generated by sqlite2pg x new\n")]),
        ]);
        assert!(result.is_err(), "the rename onto a folder must fail");
        let read = |p: PathBuf| fs::read_to_string(p).ok();
        assert_eq!(read(first.join("a.rs")).as_deref(), Some("//! Generated by sqlite2pg a old\n"));
        assert_eq!(read(first.join("b.rs")).as_deref(), Some("//! Generated by sqlite2pg b old\n"), "the stale file is back");
        assert!(!first.join("c.rs").exists(), "the new file is gone");
        assert_eq!(read(second.join("m.rs")).as_deref(), Some("//! Generated by sqlite2pg m old\n"));
        let hidden: Vec<String> = fs::read_dir(tmp.path()).map_err(Error::io("ls"))?.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).filter(|n| n.starts_with('.')).collect();
        assert!(hidden.is_empty(), "temporary folders left: {hidden:?}");
        Ok(())
    }
}
