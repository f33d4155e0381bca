// Unit tests of the worker protocol's Decoder: streams of messages fed in
// pieces of every size, and malformed input of every kind.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "protocol/protocol.h"
#include "protocol_test_util.h"

namespace gtest_parallel {
namespace internal {
namespace {

// Sets message fields to random values, often edge ones.
class Randomizer {
 public:
  explicit Randomizer(unsigned seed) : random_(seed) {}

  int64_t Number(int64_t low, int64_t high) {
    return std::uniform_int_distribution<int64_t>(low, high)(random_);
  }
  // A random message of a random type.
  Message RandomMessage() {
    Message message{DefaultOf(
        static_cast<size_t>(Number(0, std::variant_size_v<MessageBody> - 1)))};
    std::visit(
        [this](auto& body) {
          std::apply([this](auto&... field) { (Set(&field), ...); },
                     body.Tie(body));
        },
        message.body);
    // Only a Hello of our version carries more than its version.
    if (auto* hello = std::get_if<Hello>(&message.body)) {
      hello->version = kProtocolVersion;
    }
    message.offset = Number(-1, INT64_MAX);
    return message;
  }

 private:
  template <typename Int>
  Int Integer() {
    using Limits = std::numeric_limits<Int>;
    switch (Number(0, 3)) {
      case 0:
        return Limits::min();
      case 1:
        return Limits::max();
      default:
        return static_cast<Int>(Number(-1000, 100000));
    }
  }
  void Set(bool* value) { *value = Number(0, 1) == 1; }
  void Set(int* value) { *value = Integer<int>(); }
  void Set(int64_t* value) { *value = Integer<int64_t>(); }
  void Set(uint64_t* value) { *value = Integer<uint64_t>(); }
  void Set(Scope* value) { *value = static_cast<Scope>(Number(0, 5)); }
  void Set(std::string* value) {
    value->assign(static_cast<size_t>(Number(0, 300)), '\0');
    for (char& c : *value) c = static_cast<char>(Number(0, 255));
  }
  void Set(Property* property) {
    Set(&property->key);
    Set(&property->value);
  }
  void Set(Part* part) {
    Set(&part->type);
    Set(&part->has_file);
    Set(&part->file);
    Set(&part->line);
    Set(&part->message);
  }
  void Set(std::optional<int>* value) {
    value->reset();
    if (Number(0, 1) == 1) *value = Integer<int>();
  }
  template <typename T>
  void Set(std::vector<T>* values) {
    values->resize(static_cast<size_t>(Number(0, 4)));
    for (T& value : *values) Set(&value);
  }

  std::mt19937 random_;
};

// `count` random messages, and their encoding in `bytes`.
std::vector<Message> RandomStream(unsigned seed, int count,
                                  std::string* bytes) {
  Randomizer randomizer(seed);
  std::vector<Message> sent;
  for (int i = 0; i < count; ++i) {
    sent.push_back(randomizer.RandomMessage());
    Encode(sent.back(), bytes);
  }
  return sent;
}

TEST(DecoderTest, ManyMessagesInOneFeed) {
  std::string bytes;
  const std::vector<Message> sent = RandomStream(1, 300, &bytes);
  Decoder decoder;
  EXPECT_EQ(DecodeAll(&decoder, bytes), sent);
  EXPECT_EQ(decoder.error(), "");
  EXPECT_EQ(decoder.pending(), 0u);
}

TEST(DecoderTest, ManyMessagesFedOneByteAtATime) {
  std::string bytes;
  std::vector<size_t> ends;  // Where each message's frame ends.
  Randomizer randomizer(2);
  std::vector<Message> sent;
  for (int i = 0; i < 50; ++i) {
    sent.push_back(randomizer.RandomMessage());
    Encode(sent.back(), &bytes);
    ends.push_back(bytes.size());
  }
  Decoder decoder;
  std::vector<Message> decoded;
  size_t frame_start = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    decoder.Feed(&bytes[i], 1);
    Message message;
    const bool complete = i + 1 == ends[decoded.size()];
    ASSERT_EQ(decoder.Next(&message), complete) << "byte " << i;
    if (complete) {
      decoded.push_back(message);
      frame_start = i + 1;
      ASSERT_FALSE(decoder.Next(&message));
    }
    ASSERT_EQ(decoder.pending(), i + 1 - frame_start);
  }
  EXPECT_EQ(decoder.error(), "");
  EXPECT_EQ(decoded, sent);
}

TEST(DecoderTest, RandomFeedSizesInterleavedWithReads) {
  for (unsigned seed = 1; seed <= 20; ++seed) {
    SCOPED_TRACE(seed);
    std::string bytes;
    const std::vector<Message> sent = RandomStream(seed, 40, &bytes);
    std::mt19937 random(seed);
    Decoder decoder;
    std::vector<Message> decoded;
    // Decoded into one reused message, as the coordinator does.
    Message message;
    size_t fed = 0;
    while (fed < bytes.size()) {
      const size_t size = std::min<size_t>(
          bytes.size() - fed,
          std::uniform_int_distribution<size_t>(0, 700)(random));
      decoder.Feed(bytes.data() + fed, size);
      fed += size;
      // Sometimes read only some of what is complete.
      const int reads = std::uniform_int_distribution<int>(0, 3)(random);
      for (int i = 0; i < reads && decoder.Next(&message); ++i) {
        decoded.push_back(message);
      }
    }
    while (decoder.Next(&message)) decoded.push_back(message);
    EXPECT_EQ(decoder.error(), "");
    EXPECT_EQ(decoder.pending(), 0u);
    EXPECT_EQ(decoded, sent);
  }
}

TEST(DecoderTest, MessageSplitAtEveryPoint) {
  std::string bytes;
  const Message sent = RandomStream(3, 1, &bytes)[0];
  for (size_t split = 0; split <= bytes.size(); ++split) {
    SCOPED_TRACE(split);
    Decoder decoder;
    decoder.Feed(bytes.data(), split);
    Message message;
    ASSERT_EQ(decoder.Next(&message), split == bytes.size());
    if (split < bytes.size()) {
      EXPECT_EQ(decoder.pending(), split);
      decoder.Feed(bytes.data() + split, bytes.size() - split);
      ASSERT_TRUE(decoder.Next(&message));
    }
    EXPECT_EQ(message, sent);
    EXPECT_EQ(decoder.pending(), 0u);
    EXPECT_EQ(decoder.error(), "");
  }
}

TEST(DecoderTest, PendingCountsAPartialMessage) {
  Decoder decoder;
  EXPECT_EQ(decoder.pending(), 0u);
  const std::string first = Encoded(Message{Done()});
  const std::string second =
      Encoded(Message{TestEnd{1, 2, 3, {{"a", "b"}}, 4}});
  const std::string bytes = first + second.substr(0, 10);
  decoder.Feed(bytes.data(), bytes.size());
  EXPECT_EQ(decoder.pending(), bytes.size());
  Message message;
  ASSERT_TRUE(decoder.Next(&message));
  EXPECT_EQ(decoder.pending(), 10u);
  EXPECT_FALSE(decoder.Next(&message));
  EXPECT_EQ(decoder.pending(), 10u);
  EXPECT_EQ(decoder.error(), "");  // Incomplete is not malformed.
}

TEST(DecoderTest, EmptyFeedIsHarmless) {
  Decoder decoder;
  decoder.Feed("", 0);
  Message message;
  EXPECT_FALSE(decoder.Next(&message));
  EXPECT_EQ(decoder.pending(), 0u);
  EXPECT_EQ(decoder.error(), "");
}

TEST(DecoderTest, OversizeLengthPrefixIsAnError) {
  for (uint32_t size : {kMaxMessageBytes + 1, 0x7fffffffu, 0xffffffffu}) {
    SCOPED_TRACE(size);
    Decoder decoder;
    const std::string bytes = LengthPrefix(size) + "abc";
    decoder.Feed(bytes.data(), bytes.size());
    Message message;
    EXPECT_FALSE(decoder.Next(&message));
    EXPECT_NE(decoder.error(), "");
  }
}

TEST(DecoderTest, LengthAtTheLimitWaitsForThePayload) {
  Decoder decoder;
  const std::string bytes = LengthPrefix(kMaxMessageBytes) + "abc";
  decoder.Feed(bytes.data(), bytes.size());
  Message message;
  EXPECT_FALSE(decoder.Next(&message));
  EXPECT_EQ(decoder.error(), "");
  EXPECT_EQ(decoder.pending(), bytes.size());
}

TEST(DecoderTest, ErrorIsFinal) {
  Decoder decoder;
  std::string bytes = Encoded(Message{NoMore()});
  bytes += LengthPrefix(0xffffffffu);
  bytes += Encoded(Message{Done()});
  const std::vector<Message> decoded = DecodeAll(&decoder, bytes);
  EXPECT_EQ(decoded.size(), 1u);  // The one before the bad frame.
  const std::string error = decoder.error();
  ASSERT_NE(error, "");
  // Well-formed bytes after the error yield nothing and keep the error.
  const std::string more = Encoded(Message{Done()});
  decoder.Feed(more.data(), more.size());
  Message message;
  EXPECT_FALSE(decoder.Next(&message));
  EXPECT_EQ(decoder.error(), error);
}

TEST(DecoderTest, EmptyPayloadIsMalformed) { ExpectMalformed(Frame("")); }

TEST(DecoderTest, TruncatedPayloadOfEveryTypeIsMalformed) {
  // The frame length is consistent, but the payload stops early.
  Randomizer randomizer(4);
  for (int i = 0; i < 100; ++i) {
    const std::string payload = Encoded(randomizer.RandomMessage()).substr(4);
    for (size_t size = 0; size < payload.size(); ++size) {
      SCOPED_TRACE(size);
      ExpectMalformed(Frame(payload.substr(0, size)));
    }
  }
}

TEST(DecoderTest, TrailingBytesInPayloadAreMalformed) {
  Randomizer randomizer(5);
  for (int i = 0; i < 100; ++i) {
    const std::string payload = Encoded(randomizer.RandomMessage()).substr(4);
    ExpectMalformed(Frame(payload + '\0'));
  }
  ExpectMalformed(Frame(Payload().Byte(67).Signed(-1).bytes() + "xyz"));
}

TEST(DecoderTest, UnknownTypeIsMalformed) {
  for (int type : {0, 12, 13, 63, 68, 100, 255}) {
    SCOPED_TRACE(type);
    ExpectMalformed(Frame(Payload().Byte(type).Signed(-1).bytes()));
  }
}

TEST(DecoderTest, IdBeyondIntIsMalformed) {
  for (int64_t id : {int64_t{INT32_MAX} + 1, int64_t{INT32_MIN} - 1}) {
    SCOPED_TRACE(id);
    // A test id, and a grant's test id.
    ExpectMalformed(Frame(Payload().Byte(8).Signed(-1).Signed(id).bytes()));
    ExpectMalformed(Frame(Payload()
                              .Byte(65)
                              .Signed(-1)
                              .Signed(1)
                              .Varint(2)
                              .Signed(1)
                              .Signed(id)
                              .Byte(0)
                              .bytes()));
  }
}

TEST(DecoderTest, PartFieldsBeyondIntAreMalformed) {
  auto part_event = [](int64_t type, int64_t line) {
    return Frame(Payload()
                     .Byte(6)
                     .Signed(-1)
                     .Byte(2)
                     .Signed(1)
                     .PartFields(type, 0, line)
                     .bytes());
  };
  ExpectMalformed(part_event(int64_t{INT32_MAX} + 1, -1));
  ExpectMalformed(part_event(0, int64_t{INT32_MIN} - 1));
}

TEST(DecoderTest, BooleanByteOtherThanZeroOrOneIsMalformed) {
  for (int value : {2, 0x80, 0xff}) {
    SCOPED_TRACE(value);
    // A part's has_file, a grant's last, a request's may_run.
    ExpectMalformed(Frame(Payload()
                              .Byte(6)
                              .Signed(-1)
                              .Byte(2)
                              .Signed(1)
                              .PartFields(0, value, -1)
                              .bytes()));
    ExpectMalformed(Frame(
        Payload().Byte(65).Signed(-1).Signed(1).Varint(0).Byte(value).bytes()));
    ExpectMalformed(
        Frame(Payload().Byte(3).Signed(-1).Signed(0).Byte(value).bytes()));
    // Whether a test end has kept_parts.
    ExpectMalformed(Frame(Payload()
                              .Byte(7)
                              .Signed(-1)
                              .Signed(1)
                              .Signed(2)
                              .Signed(3)
                              .Varint(0)
                              .Byte(value)
                              .bytes()));
  }
}

TEST(DecoderTest, UnknownScopeIsMalformed) {
  for (int scope : {6, 7, 0x80, 0xff}) {
    SCOPED_TRACE(scope);
    ExpectMalformed(Frame(Payload()
                              .Byte(6)
                              .Signed(-1)
                              .Byte(scope)
                              .Signed(1)
                              .PartFields(0, 0, -1)
                              .bytes()));
  }
}

TEST(DecoderTest, CountsLargerThanThePayloadAreMalformed) {
  // More tests than bytes left.
  ExpectMalformed(Frame(
      Payload().Byte(65).Signed(-1).Signed(1).Varint(1000).Byte(0).bytes()));
  // A string longer than the payload.
  ExpectMalformed(Frame(Payload()
                            .Byte(10)
                            .Signed(-1)
                            .Signed(0)
                            .Varint(1)
                            .Varint(1u << 30)
                            .bytes()));
  // A huge property count.
  ExpectMalformed(Frame(
      Payload().Byte(10).Signed(-1).Signed(0).Varint(UINT64_MAX).bytes()));
}

TEST(DecoderTest, OverlongVarintIsMalformed) {
  // An offset of eleven 7-bit groups (more than 64 bits) in an otherwise
  // well-formed payload.
  Payload payload;
  payload.Byte(67);
  for (int i = 0; i < 10; ++i) payload.Byte(0x80);
  payload.Byte(0);
  ExpectMalformed(Frame(payload.bytes()));
}

TEST(DecoderTest, GoodMessagesBeforeAMalformedOneAreDelivered) {
  std::string bytes;
  const std::vector<Message> sent = RandomStream(6, 2, &bytes);
  bytes += Frame(Payload().Byte(0).Signed(-1).bytes());
  Decoder decoder;
  EXPECT_EQ(DecodeAll(&decoder, bytes), sent);
  EXPECT_NE(decoder.error(), "");
}

}  // namespace
}  // namespace internal
}  // namespace gtest_parallel
