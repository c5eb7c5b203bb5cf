#pragma once
// A SQLite VFS that differs from the default one only in how the WAL file is written: the frames
// of a commit are gathered in memory and reach the file when SQLite syncs the WAL at commit (or
// reads it back, truncates it, or asks its size), in writes of up to 120 KiB instead of two
// pwrite calls per page. The writer connection commits with synchronous=FULL, so every commit ends
// in that sync: what is acknowledged is on disk exactly as before, and readers, which find frames
// through the WAL index only after the sync, never look for bytes still in memory. Profiles
// showed 2.4 pwrite calls per message and a fifth of the writer thread's time in them.
//
// Only for the one connection that writes; readers open the database with the default VFS.
namespace parley::sqlite {

// Registers the VFS (once per process) and returns its name, for sqlite3_open_v2.
const char* walWriteBufferVfs();

}  // namespace parley::sqlite
