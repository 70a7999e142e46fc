#include "daemon/queue/transcript.hpp"

#include <algorithm>
#include <iterator>
#include <utility>

namespace xiaoer::queue {

Transcript::Transcript(std::initializer_list<TranscriptLine> lines)
    : Transcript(std::vector<TranscriptLine>(lines)) {}

Transcript::Transcript(std::vector<TranscriptLine> lines) {
  if (lines.empty()) return;
  auto spine = std::make_shared<Spine>();
  spine->reserve((lines.size() + kChunk - 1) / kChunk);
  for (std::size_t at = 0; at < lines.size(); at += kChunk) {
    const auto from = std::make_move_iterator(lines.begin() + static_cast<std::ptrdiff_t>(at));
    const auto to =
        std::make_move_iterator(lines.begin() + static_cast<std::ptrdiff_t>(std::min(at + kChunk, lines.size())));
    spine->push_back(std::make_shared<const Chunk>(from, to));
  }
  spine_ = std::move(spine);
  size_ = lines.size();
}

void Transcript::push_back(TranscriptLine line, std::size_t limit) {
  if (limit == 0) return clear();
  // Places counted from the first chunk's first line, dropped or not.
  const std::size_t end = first_ + size_;  // where the line goes
  const std::size_t start = first_ + (size_ + 1 > limit ? size_ + 1 - limit : 0);  // the first line kept
  const std::size_t skip = start / kChunk;  // chunks wholly dropped
  const std::size_t last = end / kChunk;    // the chunk the line goes into
  const std::size_t chunks = spine_ ? spine_->size() : 0;

  auto spine = std::make_shared<Spine>();
  spine->reserve(last - skip + 1);
  for (std::size_t c = skip; c < last; ++c) spine->push_back((*spine_)[c]);  // full: shared as they are
  auto chunk = std::make_shared<Chunk>();
  if (last < chunks) {  // the last chunk has room: a copy of it, sized to fit
    const Chunk& old = *(*spine_)[last];
    chunk->reserve(old.size() + 1);
    chunk->insert(chunk->end(), old.begin(), old.end());
  }
  chunk->push_back(std::move(line));
  spine->push_back(std::move(chunk));
  spine_ = std::move(spine);
  first_ = start - skip * kChunk;
  size_ = end + 1 - start;
}

void Transcript::keep_last(std::size_t limit) {
  if (size_ <= limit) return;
  if (limit == 0) return clear();
  const std::size_t start = first_ + (size_ - limit);
  const std::size_t skip = start / kChunk;
  if (skip > 0) spine_ = std::make_shared<const Spine>(spine_->begin() + static_cast<std::ptrdiff_t>(skip), spine_->end());
  first_ = start - skip * kChunk;
  size_ = limit;
}

bool operator==(const Transcript& a, const Transcript& b) {
  if (a.size_ != b.size_) return false;
  if (a.spine_ == b.spine_ && a.first_ == b.first_) return true;
  return std::equal(a.begin(), a.end(), b.begin());
}

}  // namespace xiaoer::queue
