// Transcript: the lines of a chat or a ticket, oldest first, as a value
// that is cheap to copy.
//
// DESIGN
// A ticket's transcript (up to kMaxTranscript lines) is copied at every
// step of a message: the snapshot, the effect, the commit, the agents'
// event, a compaction. So a Transcript shares its lines: it points to an
// immutable spine of immutable chunks of kChunk lines, and a copy is one
// pointer. Appending never changes what is shared: it makes a new last
// chunk (a copy of at most kChunk - 1 lines plus the new one) and a new
// spine (one pointer per chunk), so an append costs O(kChunk + size /
// kChunk) and two allocations, not O(size), and every other copy keeps the
// lines it had.
// Dropping the oldest lines moves an offset into the first chunk, and
// drops that chunk once it is passed.
//
// Every chunk but the last holds exactly kChunk lines: line i is found in
// O(1).
//
// Thread safety: a value; copies may be read and appended to from any
// thread at once (what is shared is never written).
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <limits>
#include <memory>
#include <string>
#include <vector>

namespace xiaoer::queue {

struct TranscriptLine {
  std::string from;  // "buyer", "bot", "agent", "notice", "note" (between agents, never sent)
  std::string text;
  std::int64_t ts_ms = 0;
  std::string agent = {};  // who wrote an agent line or a note

  bool operator==(const TranscriptLine&) const = default;
};

class Transcript {
 public:
  static constexpr std::size_t kChunk = 16;
  static constexpr std::size_t kUnbounded = std::numeric_limits<std::size_t>::max();

  class const_iterator {
   public:
    using iterator_category = std::random_access_iterator_tag;
    using value_type = TranscriptLine;
    using difference_type = std::ptrdiff_t;
    using pointer = const TranscriptLine*;
    using reference = const TranscriptLine&;

    const_iterator() = default;
    reference operator*() const { return (*of_)[i_]; }
    pointer operator->() const { return &(*of_)[i_]; }
    reference operator[](difference_type n) const { return (*of_)[i_ + static_cast<std::size_t>(n)]; }
    const_iterator& operator++() { return ++i_, *this; }
    const_iterator operator++(int) { return {of_, i_++}; }
    const_iterator& operator--() { return --i_, *this; }
    const_iterator operator--(int) { return {of_, i_--}; }
    const_iterator& operator+=(difference_type n) { return i_ += static_cast<std::size_t>(n), *this; }
    const_iterator& operator-=(difference_type n) { return i_ -= static_cast<std::size_t>(n), *this; }
    friend const_iterator operator+(const_iterator it, difference_type n) { return it += n; }
    friend const_iterator operator+(difference_type n, const_iterator it) { return it += n; }
    friend const_iterator operator-(const_iterator it, difference_type n) { return it -= n; }
    friend difference_type operator-(const const_iterator& a, const const_iterator& b) {
      return static_cast<difference_type>(a.i_) - static_cast<difference_type>(b.i_);
    }
    friend bool operator==(const const_iterator& a, const const_iterator& b) { return a.i_ == b.i_; }
    friend auto operator<=>(const const_iterator& a, const const_iterator& b) { return a.i_ <=> b.i_; }

   private:
    friend class Transcript;
    const_iterator(const Transcript* of, std::size_t i) : of_(of), i_(i) {}
    const Transcript* of_ = nullptr;
    std::size_t i_ = 0;
  };
  using iterator = const_iterator;  // lines are never changed in place
  using value_type = TranscriptLine;
  using size_type = std::size_t;

  Transcript() = default;
  // Not explicit: tests and decoders write a transcript as its lines.
  Transcript(std::initializer_list<TranscriptLine> lines);
  Transcript(std::vector<TranscriptLine> lines);  // NOLINT(google-explicit-constructor)

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // Line i, oldest first (i < size()).
  const TranscriptLine& operator[](std::size_t i) const {
    const std::size_t at = first_ + i;
    return spine_[at / kChunk][at % kChunk];
  }
  const TranscriptLine& front() const { return (*this)[0]; }
  const TranscriptLine& back() const { return (*this)[size_ - 1]; }
  const_iterator begin() const { return {this, 0}; }
  const_iterator end() const { return {this, size_}; }

  // Appends `line`, then drops the oldest lines beyond `limit`.
  void push_back(TranscriptLine line, std::size_t limit = kUnbounded);
  // Drops the oldest lines beyond `limit`.
  void keep_last(std::size_t limit);
  void clear() { *this = Transcript(); }

  friend bool operator==(const Transcript& a, const Transcript& b);

 private:
  // kChunk lines (the last chunk: the rest), each chunk and the spine one
  // allocation; their lengths follow from first_ and size_.
  using Chunk = std::shared_ptr<const TranscriptLine[]>;
  std::size_t chunks() const { return size_ == 0 ? 0 : (first_ + size_ + kChunk - 1) / kChunk; }

  std::shared_ptr<const Chunk[]> spine_;  // chunks() chunks; null when empty
  std::size_t first_ = 0;                 // lines of the first chunk dropped
  std::size_t size_ = 0;
};

}  // namespace xiaoer::queue
