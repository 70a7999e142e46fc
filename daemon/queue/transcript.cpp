#include "daemon/queue/transcript.hpp"

#include <algorithm>
#include <new>
#include <utility>

namespace xiaoer::queue {
namespace {

// The room of a last chunk that holds `lines` and needs one more: doubled,
// so a chat of a few lines stays small and a long one copies each line
// about once before its chunk is full.
std::size_t grown(std::size_t lines) { return std::min(Transcript::kChunk, std::max<std::size_t>(2, 2 * lines)); }

}  // namespace

Transcript::Chunk* Transcript::Chunk::make(std::size_t capacity) {
  void* memory = ::operator new(lines_offset() + capacity * sizeof(TranscriptLine));
  return new (memory) Chunk(capacity);
}

void Transcript::Chunk::destroy(Chunk* chunk) {
  std::destroy_n(chunk->lines(), chunk->taken_.load(std::memory_order_acquire));
  chunk->~Chunk();
  ::operator delete(chunk);
}

bool Transcript::Chunk::try_append(std::size_t at, TranscriptLine& line) {
  if (at >= capacity_) return false;
  auto expected = static_cast<std::uint32_t>(at);
  // The place is this appender's alone once claimed; the copies that share
  // the chunk read only the places before their own end.
  if (!taken_.compare_exchange_strong(expected, expected + 1, std::memory_order_acq_rel)) return false;
  new (lines() + at) TranscriptLine(std::move(line));
  return true;
}

Transcript::Transcript(std::initializer_list<TranscriptLine> lines)
    : Transcript(std::vector<TranscriptLine>(lines)) {}

Transcript::Transcript(std::vector<TranscriptLine> lines) {
  if (lines.empty()) return;
  size_ = lines.size();
  const std::size_t count = chunks();
  auto spine = std::make_shared<ChunkPtr[]>(count);
  for (std::size_t c = 0; c < count; ++c) {
    const std::size_t length = std::min(kChunk, lines.size() - c * kChunk);
    ChunkPtr chunk(Chunk::make(length));
    for (std::size_t i = 0; i < length; ++i) chunk->try_append(i, lines[c * kChunk + i]);
    spine[c] = std::move(chunk);
  }
  spine_ = std::move(spine);
}

void Transcript::push_back(TranscriptLine line, std::size_t limit) {
  if (limit == 0) return clear();
  // Places counted from the first chunk's first line, dropped or not.
  const std::size_t end = first_ + size_;  // where the line goes
  const std::size_t start = first_ + (size_ + 1 > limit ? size_ + 1 - limit : 0);  // the first line kept
  const std::size_t skip = start / kChunk;    // chunks wholly dropped
  const std::size_t last = end / kChunk;      // the chunk the line goes into
  const std::size_t before = end % kChunk;    // lines already in it (0: a new chunk)

  if (before > 0 && spine_[last]->try_append(before, line)) {
    if (skip > 0) respine(skip, last + 1, nullptr);
  } else {
    // A new last chunk: a copy of this transcript's lines of the old one.
    ChunkPtr chunk(Chunk::make(last == 0 ? grown(before) : kChunk));
    for (std::size_t i = 0; i < before; ++i) {
      TranscriptLine copy = spine_[last]->line(i);
      chunk->try_append(i, copy);
    }
    chunk->try_append(before, line);
    respine(skip, last, std::move(chunk));
  }
  first_ = start - skip * kChunk;
  size_ = end + 1 - start;
}

void Transcript::respine(std::size_t skip, std::size_t last, ChunkPtr tail) {
  auto spine = std::make_shared<ChunkPtr[]>(last - skip + (tail ? 1 : 0));
  for (std::size_t c = skip; c < last; ++c) spine[c - skip] = spine_[c];  // shared as they are
  if (tail) spine[last - skip] = std::move(tail);
  spine_ = std::move(spine);
}

void Transcript::keep_last(std::size_t limit) {
  if (size_ <= limit) return;
  if (limit == 0) return clear();
  const std::size_t start = first_ + (size_ - limit);
  const std::size_t skip = start / kChunk;
  if (skip > 0) respine(skip, chunks(), nullptr);
  first_ = start - skip * kChunk;
  size_ = limit;
}

bool operator==(const Transcript& a, const Transcript& b) {
  if (a.size_ != b.size_) return false;
  if (a.spine_ == b.spine_ && a.first_ == b.first_) return true;
  return std::equal(a.begin(), a.end(), b.begin());
}

}  // namespace xiaoer::queue
