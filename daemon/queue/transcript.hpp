// Transcript: the lines of a chat or a ticket, oldest first, as a value
// that is cheap to copy.
//
// DESIGN
// A ticket's transcript (up to kMaxTranscript lines) is copied at every
// step of a message: the snapshot, the effect, the commit, the agents'
// event, a compaction. So a Transcript shares its lines: it points to an
// immutable spine of chunks of at most kChunk lines, and a copy is one
// pointer.
// A chunk's lines never change once written; a chunk has room for more
// (its capacity) and counts the places taken. An append to a transcript
// whose end is the chunk's last taken place claims the next place (one
// compare-and-swap) and writes the line there: no copy, and every copy of
// the transcript keeps seeing only its own lines, since each reads no
// further than its size. When the place is taken (another copy appended
// first) or there is no room, the append makes a new last chunk (twice the
// room, kChunk at most: a short chat's lines stay small) and a new spine.
// So an append costs one line's move most of the time, and O(kChunk +
// size / kChunk) at worst.
// Dropping the oldest lines moves an offset into the first chunk, and
// drops that chunk once it is passed.
//
// Every chunk but the last holds exactly kChunk lines: line i is found in
// O(1).
//
// Thread safety: a value; copies may be read and appended to from any
// thread at once (a shared chunk's lines are written only in places no
// copy reads, each claimed by one appender).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <limits>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include <boost/smart_ptr/intrusive_ptr.hpp>

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
    return spine_[at / kChunk]->line(at % kChunk);
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
  // Room for `capacity` lines, the first `taken` of them written; counted
  // references (one allocation a chunk, lines included).
  class Chunk {
   public:
    static Chunk* make(std::size_t capacity);
    // Laundered: the line was made in the chunk's raw storage (placement new).
    const TranscriptLine& line(std::size_t i) const { return *std::launder(lines() + i); }
    std::size_t capacity() const { return capacity_; }
    // Writes `line` at place `at` if it is the next free one (and moves
    // from it only then).
    bool try_append(std::size_t at, TranscriptLine& line);

    friend void intrusive_ptr_add_ref(Chunk* chunk) { chunk->references_.fetch_add(1, std::memory_order_relaxed); }
    friend void intrusive_ptr_release(Chunk* chunk) {
      if (chunk->references_.fetch_sub(1, std::memory_order_acq_rel) == 1) destroy(chunk);
    }

   private:
    explicit Chunk(std::size_t capacity) : capacity_(capacity) {}
    static void destroy(Chunk* chunk);
    // The lines follow the header, aligned.
    static constexpr std::size_t lines_offset() {
      return (sizeof(Chunk) + alignof(TranscriptLine) - 1) / alignof(TranscriptLine) * alignof(TranscriptLine);
    }
    TranscriptLine* lines() { return reinterpret_cast<TranscriptLine*>(reinterpret_cast<char*>(this) + lines_offset()); }
    const TranscriptLine* lines() const {
      return reinterpret_cast<const TranscriptLine*>(reinterpret_cast<const char*>(this) + lines_offset());
    }

    std::atomic<std::uint32_t> references_{0};
    std::atomic<std::uint32_t> taken_{0};
    std::size_t capacity_;
  };
  using ChunkPtr = boost::intrusive_ptr<Chunk>;

  std::size_t chunks() const { return size_ == 0 ? 0 : (first_ + size_ + kChunk - 1) / kChunk; }
  // A new spine: this one's chunks from `skip` up to `last` (excluded), then
  // `tail`.
  void respine(std::size_t skip, std::size_t last, ChunkPtr tail);

  std::shared_ptr<const ChunkPtr[]> spine_;  // chunks() chunks; null when empty
  std::size_t first_ = 0;                    // lines of the first chunk dropped
  std::size_t size_ = 0;
};

}  // namespace xiaoer::queue
