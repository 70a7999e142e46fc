#include "daemon/queue/transcript.hpp"

#include <algorithm>
#include <utility>

namespace xiaoer::queue {

Transcript::Transcript(std::initializer_list<TranscriptLine> lines)
    : Transcript(std::vector<TranscriptLine>(lines)) {}

Transcript::Transcript(std::vector<TranscriptLine> lines) {
  if (lines.empty()) return;
  size_ = lines.size();
  const std::size_t count = chunks();
  auto spine = std::make_shared<Chunk[]>(count);
  for (std::size_t c = 0; c < count; ++c) {
    const std::size_t length = std::min(kChunk, lines.size() - c * kChunk);
    auto chunk = std::make_shared<TranscriptLine[]>(length);
    for (std::size_t i = 0; i < length; ++i) chunk[i] = std::move(lines[c * kChunk + i]);
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

  auto spine = std::make_shared<Chunk[]>(last - skip + 1);
  for (std::size_t c = skip; c < last; ++c) spine[c - skip] = spine_[c];  // full: shared as they are
  auto chunk = std::make_shared<TranscriptLine[]>(before + 1);
  for (std::size_t i = 0; i < before; ++i) chunk[i] = spine_[last][i];
  chunk[before] = std::move(line);
  spine[last - skip] = std::move(chunk);
  spine_ = std::move(spine);
  first_ = start - skip * kChunk;
  size_ = end + 1 - start;
}

void Transcript::keep_last(std::size_t limit) {
  if (size_ <= limit) return;
  if (limit == 0) return clear();
  const std::size_t start = first_ + (size_ - limit);
  const std::size_t skip = start / kChunk;
  if (skip > 0) {
    const std::size_t count = chunks();
    auto spine = std::make_shared<Chunk[]>(count - skip);
    for (std::size_t c = skip; c < count; ++c) spine[c - skip] = spine_[c];
    spine_ = std::move(spine);
  }
  first_ = start - skip * kChunk;
  size_ = limit;
}

bool operator==(const Transcript& a, const Transcript& b) {
  if (a.size_ != b.size_) return false;
  if (a.spine_ == b.spine_ && a.first_ == b.first_) return true;
  return std::equal(a.begin(), a.end(), b.begin());
}

}  // namespace xiaoer::queue
