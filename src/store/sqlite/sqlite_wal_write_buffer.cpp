#include "store/sqlite/sqlite_wal_write_buffer.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstddef>
#include <mutex>
#include <vector>

namespace parley::sqlite {
namespace {

constexpr const char* kVfsName = "parley-wal-write-buffer";
// A transaction larger than this (a migration, an import) is written in pieces of this size.
constexpr size_t kMaxBufferedBytes = 8u << 20;
constexpr size_t kKeptBufferBytes = 2u << 20;

sqlite3_vfs* default_vfs = nullptr;
sqlite3_vfs buffering_vfs;

// What SQLite allocates for a WAL file opened through this VFS: this header, then the default
// VFS's own file object.
struct WalFile {
  sqlite3_file base;           // pMethods = &kWalMethods
  sqlite3_file* real;          // the default VFS's file, right after this header
  std::vector<char>* pending;  // bytes written and not yet handed to the file
  sqlite3_int64 pending_offset;
};

constexpr size_t kHeaderBytes = (sizeof(WalFile) + 15) & ~size_t{15};

WalFile* walOf(sqlite3_file* file) { return reinterpret_cast<WalFile*>(file); }

const sqlite3_io_methods& realMethods(WalFile* wal) { return *wal->real->pMethods; }

// The default VFS writes at most 128 KiB - 1 bytes per call (unix seekAndWriteFd masks the size
// with 0x1ffff, so a larger write silently writes less and fails as SQLITE_FULL).
constexpr size_t kMaxBytesPerWrite = 120u << 10;

// Hands the gathered bytes to the file. Any error here fails the operation that needed them on
// disk (a sync is a commit), so nothing unwritten is ever acknowledged.
int flush(WalFile* wal) {
  std::vector<char>& pending = *wal->pending;
  int rc = SQLITE_OK;
  for (size_t done = 0; done < pending.size() && rc == SQLITE_OK; done += kMaxBytesPerWrite) {
    const size_t piece = std::min(kMaxBytesPerWrite, pending.size() - done);
    rc = realMethods(wal).xWrite(wal->real, pending.data() + done, static_cast<int>(piece),
                                 wal->pending_offset + static_cast<sqlite3_int64>(done));
  }
  pending.clear();
  // A commit's frames (about a megabyte under load) reuse the buffer; an import's would keep
  // kMaxBufferedBytes for the life of the connection.
  if (pending.capacity() > kKeptBufferBytes) pending.shrink_to_fit();
  return rc;
}

int walClose(sqlite3_file* file) {
  WalFile* wal = walOf(file);
  const int flushed = flush(wal);
  const int closed = realMethods(wal).xClose(wal->real);
  delete wal->pending;
  wal->pending = nullptr;
  return flushed != SQLITE_OK ? flushed : closed;
}

int walRead(sqlite3_file* file, void* out, int amount, sqlite3_int64 offset) {
  WalFile* wal = walOf(file);
  if (const int rc = flush(wal); rc != SQLITE_OK) return rc;
  return realMethods(wal).xRead(wal->real, out, amount, offset);
}

// Appends to the gathered bytes when the write continues them; otherwise (SQLite rewrites the
// header when the WAL starts over) writes what was gathered first, so writes keep their order.
int walWrite(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
  WalFile* wal = walOf(file);
  std::vector<char>& pending = *wal->pending;
  const auto bytes = static_cast<size_t>(amount);
  const bool continues = !pending.empty() &&
                         offset == wal->pending_offset + static_cast<sqlite3_int64>(pending.size());
  if (!continues || pending.size() + bytes > kMaxBufferedBytes) {
    if (const int rc = flush(wal); rc != SQLITE_OK) return rc;
    wal->pending_offset = offset;
  }
  const char* begin = static_cast<const char*>(data);
  pending.insert(pending.end(), begin, begin + bytes);
  return SQLITE_OK;
}

int walTruncate(sqlite3_file* file, sqlite3_int64 size) {
  WalFile* wal = walOf(file);
  if (const int rc = flush(wal); rc != SQLITE_OK) return rc;
  return realMethods(wal).xTruncate(wal->real, size);
}

int walSync(sqlite3_file* file, int flags) {
  WalFile* wal = walOf(file);
  if (const int rc = flush(wal); rc != SQLITE_OK) return rc;
  return realMethods(wal).xSync(wal->real, flags);
}

int walFileSize(sqlite3_file* file, sqlite3_int64* size) {
  WalFile* wal = walOf(file);
  if (const int rc = flush(wal); rc != SQLITE_OK) return rc;
  return realMethods(wal).xFileSize(wal->real, size);
}

int walFileControl(sqlite3_file* file, int op, void* arg) {
  WalFile* wal = walOf(file);
  if (const int rc = flush(wal); rc != SQLITE_OK) return rc;
  return realMethods(wal).xFileControl(wal->real, op, arg);
}

int walFetch(sqlite3_file* file, sqlite3_int64 offset, int amount, void** out) {
  WalFile* wal = walOf(file);
  if (const int rc = flush(wal); rc != SQLITE_OK) return rc;
  if (realMethods(wal).iVersion < 3) {  // no memory-mapped reads: SQLite falls back to xRead
    *out = nullptr;
    return SQLITE_OK;
  }
  return realMethods(wal).xFetch(wal->real, offset, amount, out);
}

// The rest only forward: locks, geometry and shared memory do not touch the file's bytes.
int walLock(sqlite3_file* file, int level) {
  return realMethods(walOf(file)).xLock(walOf(file)->real, level);
}
int walUnlock(sqlite3_file* file, int level) {
  return realMethods(walOf(file)).xUnlock(walOf(file)->real, level);
}
int walCheckReservedLock(sqlite3_file* file, int* out) {
  return realMethods(walOf(file)).xCheckReservedLock(walOf(file)->real, out);
}
int walSectorSize(sqlite3_file* file) {
  return realMethods(walOf(file)).xSectorSize(walOf(file)->real);
}
int walDeviceCharacteristics(sqlite3_file* file) {
  return realMethods(walOf(file)).xDeviceCharacteristics(walOf(file)->real);
}
int walShmMap(sqlite3_file* file, int region, int size, int extend, void volatile** out) {
  return realMethods(walOf(file)).xShmMap(walOf(file)->real, region, size, extend, out);
}
int walShmLock(sqlite3_file* file, int offset, int n, int flags) {
  return realMethods(walOf(file)).xShmLock(walOf(file)->real, offset, n, flags);
}
void walShmBarrier(sqlite3_file* file) { realMethods(walOf(file)).xShmBarrier(walOf(file)->real); }
int walShmUnmap(sqlite3_file* file, int delete_flag) {
  return realMethods(walOf(file)).xShmUnmap(walOf(file)->real, delete_flag);
}
int walUnfetch(sqlite3_file* file, sqlite3_int64 offset, void* page) {
  if (realMethods(walOf(file)).iVersion < 3) return SQLITE_OK;
  return realMethods(walOf(file)).xUnfetch(walOf(file)->real, offset, page);
}

const sqlite3_io_methods kWalMethods = {
    3,  // iVersion: shared memory (2) and memory-mapped reads (3) forward too
    walClose,
    walRead,
    walWrite,
    walTruncate,
    walSync,
    walFileSize,
    walLock,
    walUnlock,
    walCheckReservedLock,
    walFileControl,
    walSectorSize,
    walDeviceCharacteristics,
    walShmMap,
    walShmLock,
    walShmBarrier,
    walShmUnmap,
    walFetch,
    walUnfetch,
};

// The WAL gets the buffering methods; every other file (the database, the shared-memory index,
// temporary files) is the default VFS's own object, opened in place.
int openFile(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  if ((flags & SQLITE_OPEN_WAL) == 0)
    return default_vfs->xOpen(default_vfs, name, file, flags, out_flags);
  WalFile* wal = walOf(file);
  wal->base.pMethods = nullptr;  // SQLite closes nothing whose open failed
  wal->real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(file) + kHeaderBytes);
  const int rc = default_vfs->xOpen(default_vfs, name, wal->real, flags, out_flags);
  if (rc != SQLITE_OK) return rc;
  wal->pending = new std::vector<char>();
  wal->pending_offset = 0;
  wal->base.pMethods = &kWalMethods;
  return SQLITE_OK;
}

}  // namespace

const char* walWriteBufferVfs() {
  static std::once_flag registered;
  std::call_once(registered, [] {
    default_vfs = sqlite3_vfs_find(nullptr);
    // Everything but xOpen is the default VFS's, with its own pAppData and limits.
    buffering_vfs = *default_vfs;
    buffering_vfs.pNext = nullptr;
    buffering_vfs.zName = kVfsName;
    buffering_vfs.szOsFile = static_cast<int>(kHeaderBytes) + default_vfs->szOsFile;
    buffering_vfs.xOpen = openFile;
    sqlite3_vfs_register(&buffering_vfs, /*makeDflt=*/0);
  });
  return kVfsName;
}

}  // namespace parley::sqlite
