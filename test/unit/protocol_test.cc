// Unit tests for the worker protocol's message framing (Encode/Decoder).
#include "protocol/protocol.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace gtest_parallel {
namespace internal {
namespace {

// A string literal with its embedded NUL bytes, without the terminating one.
template <size_t N>
std::string Bytes(const char (&literal)[N]) {
  return std::string(literal, N - 1);
}

// Every byte value once, NUL included.
std::string AllBytes() {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  return bytes;
}

Message FullMessage() {
  Message message;
  message.type = MessageType::kTestEnd;
  message.offset = int64_t{1} << 40;
  message.id = std::numeric_limits<int64_t>::min();
  message.a = std::numeric_limits<int64_t>::max();
  message.b = -1;
  message.ids = {0,
                 -1,
                 1,
                 std::numeric_limits<int32_t>::min(),
                 std::numeric_limits<int32_t>::max(),
                 300,
                 -300};
  message.part.type = 2;
  message.part.has_file = true;
  message.part.file = "dir/file name.cc";
  message.part.line = 123456;
  message.part.message = Bytes("Expected: 1\0 actual: \xff");
  message.props = {{"key", "value"}, {"", ""}, {AllBytes(), AllBytes()}};
  message.text = AllBytes() + AllBytes();
  return message;
}

void ExpectSameMessage(const Message& actual, const Message& expected) {
  EXPECT_EQ(actual.type, expected.type);
  EXPECT_EQ(actual.offset, expected.offset);
  EXPECT_EQ(actual.id, expected.id);
  EXPECT_EQ(actual.a, expected.a);
  EXPECT_EQ(actual.b, expected.b);
  EXPECT_EQ(actual.ids, expected.ids);
  EXPECT_EQ(actual.part.type, expected.part.type);
  EXPECT_EQ(actual.part.has_file, expected.part.has_file);
  EXPECT_EQ(actual.part.file, expected.part.file);
  EXPECT_EQ(actual.part.line, expected.part.line);
  EXPECT_EQ(actual.part.message, expected.part.message);
  ASSERT_EQ(actual.props.size(), expected.props.size());
  for (size_t i = 0; i < expected.props.size(); ++i) {
    EXPECT_EQ(actual.props[i].key, expected.props[i].key) << "property " << i;
    EXPECT_EQ(actual.props[i].value, expected.props[i].value)
        << "property " << i;
  }
  EXPECT_EQ(actual.text, expected.text);
  // The struct's own comparison agrees.
  EXPECT_TRUE(actual.part == expected.part);
}

std::string Encoded(const Message& message) {
  std::string bytes;
  Encode(message, &bytes);
  return bytes;
}

// Feeds `bytes` at once and returns every message decoded.
std::vector<Message> DecodeAll(Decoder* decoder, const std::string& bytes) {
  decoder->Feed(bytes.data(), bytes.size());
  std::vector<Message> messages;
  Message message;
  while (decoder->Next(&message)) messages.push_back(message);
  return messages;
}

Message RoundTrip(const Message& message) {
  Decoder decoder;
  const std::vector<Message> decoded = DecodeAll(&decoder, Encoded(message));
  EXPECT_EQ(decoder.error(), "");
  EXPECT_EQ(decoder.pending(), 0u);
  EXPECT_EQ(decoded.size(), 1u);
  return decoded.empty() ? Message() : decoded[0];
}

// A random message of a random known type, for the stream tests.
Message RandomMessage(std::mt19937* random) {
  static const MessageType kTypes[] = {
      MessageType::kHello,        MessageType::kEnvSetUp,
      MessageType::kRequest,      MessageType::kSuiteSetUp,
      MessageType::kTestStart,    MessageType::kPart,
      MessageType::kTestEnd,      MessageType::kMore,
      MessageType::kSuiteEnd,     MessageType::kEnvTearDown,
      MessageType::kIterationEnd, MessageType::kConfig,
      MessageType::kGrant,        MessageType::kNoMore,
      MessageType::kDone};
  auto number = [&](int64_t low, int64_t high) {
    return std::uniform_int_distribution<int64_t>(low, high)(*random);
  };
  auto bytes = [&](int max_size) {
    std::string text(static_cast<size_t>(number(0, max_size)), '\0');
    for (char& c : text) c = static_cast<char>(number(0, 255));
    return text;
  };
  Message message;
  message.type = kTypes[number(0, static_cast<int64_t>(std::size(kTypes)) - 1)];
  message.offset = number(-1, INT64_MAX);
  message.id = number(INT64_MIN, INT64_MAX);
  message.a = number(-1000, 1000);
  message.b = number(0, INT64_MAX);
  for (int i = number(0, 5); i > 0; --i) {
    message.ids.push_back(static_cast<int32_t>(number(INT32_MIN, INT32_MAX)));
  }
  message.part.type = static_cast<int>(number(-2, 3));
  message.part.has_file = number(0, 1) == 1;
  message.part.file = bytes(20);
  message.part.line = static_cast<int>(number(-1, 100000));
  message.part.message = bytes(300);
  for (int i = number(0, 3); i > 0; --i) {
    message.props.push_back(Property{bytes(10), bytes(40)});
  }
  message.text = bytes(200);
  return message;
}

// The 4-byte little-endian length prefix of a frame.
std::string LengthPrefix(uint32_t size) {
  std::string prefix;
  for (int i = 0; i < 4; ++i) {
    prefix.push_back(static_cast<char>((size >> (8 * i)) & 0xff));
  }
  return prefix;
}

// `payload` framed with its own length.
std::string Frame(const std::string& payload) {
  return LengthPrefix(static_cast<uint32_t>(payload.size())) + payload;
}

// Builds payloads field by field, to make ones Encode() never would.
class Payload {
 public:
  Payload& Byte(int value) {
    bytes_.push_back(static_cast<char>(value));
    return *this;
  }
  Payload& Varint(uint64_t value) {
    while (value >= 0x80) {
      bytes_.push_back(static_cast<char>((value & 0x7f) | 0x80));
      value >>= 7;
    }
    return Byte(static_cast<int>(value));
  }
  Payload& Signed(int64_t value) {
    return Varint((static_cast<uint64_t>(value) << 1) ^
                  static_cast<uint64_t>(value >> 63));
  }
  Payload& String(const std::string& value) {
    Varint(value.size());
    bytes_ += value;
    return *this;
  }
  // A part with empty file and message.
  Payload& PartFields(int64_t type, int has_file, int64_t line) {
    return Signed(type).Byte(has_file).String("").Signed(line).String("");
  }
  // Everything after the ids of a message without part, props or text.
  Payload& DefaultTail() { return PartFields(0, 0, -1).Varint(0).String(""); }
  const std::string& bytes() const { return bytes_; }

 private:
  std::string bytes_;
};

// The start of a payload, up to and including the number of ids.
Payload Head(int type, int64_t offset, uint64_t id_count) {
  Payload payload;
  payload.Byte(type).Signed(offset).Signed(0).Signed(0).Signed(0).Varint(
      id_count);
  return payload;
}

// The payload of Message() with `type`, `offset` and the given ids.
Payload DefaultPayload(int type = 1, int64_t offset = -1,
                       const std::vector<int64_t>& ids = {}) {
  Payload payload = Head(type, offset, ids.size());
  for (int64_t id : ids) payload.Signed(id);
  payload.DefaultTail();
  return payload;
}

void ExpectMalformed(const std::string& bytes) {
  Decoder decoder;
  const std::vector<Message> decoded = DecodeAll(&decoder, bytes);
  EXPECT_TRUE(decoded.empty());
  EXPECT_NE(decoder.error(), "");
}

TEST(ProtocolTest, RoundTripsDefaultMessage) {
  ExpectSameMessage(RoundTrip(Message()), Message());
}

TEST(ProtocolTest, RoundTripsEveryField) {
  const Message message = FullMessage();
  ExpectSameMessage(RoundTrip(message), message);
}

TEST(ProtocolTest, RoundTripsEveryType) {
  for (int type : {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 64, 65, 66, 67}) {
    Message message;
    message.type = static_cast<MessageType>(type);
    message.id = type;
    EXPECT_EQ(RoundTrip(message).type, message.type) << type;
  }
}

TEST(ProtocolTest, RoundTripsIntegerEdgeValues) {
  const int64_t kValues[] = {0,
                             1,
                             -1,
                             63,
                             -64,
                             64,
                             -65,
                             127,
                             128,
                             -128,
                             -129,
                             INT32_MAX,
                             INT32_MIN,
                             int64_t{INT32_MAX} + 1,
                             int64_t{INT32_MIN} - 1,
                             INT64_MAX,
                             INT64_MIN,
                             INT64_MIN + 1};
  for (int64_t value : kValues) {
    Message message;
    message.id = value;
    message.a = ~value;
    message.b = value / 2;
    message.part.line = static_cast<int>(value);
    message.part.type = static_cast<int>(~value);
    message.ids = {static_cast<int32_t>(value)};
    message.offset = value;
    ExpectSameMessage(RoundTrip(message), message);
  }
}

TEST(ProtocolTest, RoundTripsEmptyAndBinaryStrings) {
  Message message;
  message.part.has_file = true;  // A file that is known but empty.
  message.props = {{"", ""}, {std::string(1, '\0'), std::string(3, '\0')}};
  message.text = Bytes("a\0b\0");
  Message decoded = RoundTrip(message);
  ExpectSameMessage(decoded, message);
  EXPECT_TRUE(decoded.part.has_file);
  EXPECT_EQ(decoded.text.size(), 4u);

  // A long string needs a multi-byte length.
  message.text = std::string(100000, '\x80');
  decoded = RoundTrip(message);
  EXPECT_EQ(decoded.text, message.text);
}

TEST(ProtocolTest, ShortTailLeavesNothingOfTheMessageDecodedBefore) {
  // A message ending in default fields is decoded by a shortcut: into a
  // Message that held a full one, it must still reset every field.
  Message plain;
  plain.type = MessageType::kTestStart;
  plain.id = 7;
  Decoder decoder;
  const std::string bytes = Encoded(FullMessage()) + Encoded(plain);
  decoder.Feed(bytes.data(), bytes.size());
  Message message;
  ASSERT_TRUE(decoder.Next(&message));
  ExpectSameMessage(message, FullMessage());
  ASSERT_TRUE(decoder.Next(&message));
  ExpectSameMessage(message, plain);
}

TEST(ProtocolTest, EncodeAppends) {
  std::string bytes = "prefix";
  Encode(Message(), &bytes);
  Encode(FullMessage(), &bytes);
  ASSERT_EQ(bytes.substr(0, 6), "prefix");
  Decoder decoder;
  const std::vector<Message> decoded = DecodeAll(&decoder, bytes.substr(6));
  ASSERT_EQ(decoded.size(), 2u);
  ExpectSameMessage(decoded[0], Message());
  ExpectSameMessage(decoded[1], FullMessage());
}

TEST(ProtocolTest, FrameStartsWithLittleEndianPayloadLength) {
  const std::string bytes = Encoded(FullMessage());
  ASSERT_GE(bytes.size(), 4u);
  EXPECT_EQ(bytes.substr(0, 4), LengthPrefix(bytes.size() - 4));
}

TEST(ProtocolTest, PayloadBuilderMatchesEncode) {
  // The malformed-input tests below build payloads by hand; they rely on
  // this layout.
  EXPECT_EQ(Encoded(Message()), Frame(DefaultPayload().bytes()));
  Message message;
  message.type = MessageType::kGrant;
  message.offset = 300;
  message.ids = {5, -7};
  EXPECT_EQ(Encoded(message), Frame(DefaultPayload(65, 300, {5, -7}).bytes()));
}

TEST(DecoderTest, ManyMessagesInOneFeed) {
  std::mt19937 random(1);
  std::vector<Message> sent;
  std::string bytes;
  for (int i = 0; i < 200; ++i) {
    sent.push_back(RandomMessage(&random));
    Encode(sent.back(), &bytes);
  }
  Decoder decoder;
  const std::vector<Message> decoded = DecodeAll(&decoder, bytes);
  EXPECT_EQ(decoder.error(), "");
  EXPECT_EQ(decoder.pending(), 0u);
  ASSERT_EQ(decoded.size(), sent.size());
  for (size_t i = 0; i < sent.size(); ++i) {
    SCOPED_TRACE(i);
    ExpectSameMessage(decoded[i], sent[i]);
  }
}

TEST(DecoderTest, ManyMessagesFedOneByteAtATime) {
  std::mt19937 random(2);
  std::vector<Message> sent;
  std::string bytes;
  std::vector<size_t> ends;  // Where each message's frame ends.
  for (int i = 0; i < 50; ++i) {
    sent.push_back(RandomMessage(&random));
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
  ASSERT_EQ(decoded.size(), sent.size());
  for (size_t i = 0; i < sent.size(); ++i) {
    SCOPED_TRACE(i);
    ExpectSameMessage(decoded[i], sent[i]);
  }
}

TEST(DecoderTest, RandomFeedSizesInterleavedWithReads) {
  for (unsigned seed = 1; seed <= 20; ++seed) {
    SCOPED_TRACE(seed);
    std::mt19937 random(seed);
    std::vector<Message> sent;
    std::string bytes;
    for (int i = 0; i < 40; ++i) {
      sent.push_back(RandomMessage(&random));
      Encode(sent.back(), &bytes);
    }
    Decoder decoder;
    std::vector<Message> decoded;
    size_t fed = 0;
    while (fed < bytes.size()) {
      const size_t size = std::min<size_t>(
          bytes.size() - fed,
          std::uniform_int_distribution<size_t>(0, 700)(random));
      decoder.Feed(bytes.data() + fed, size);
      fed += size;
      // Sometimes read only some of what is complete.
      const int reads = std::uniform_int_distribution<int>(0, 3)(random);
      Message message;
      for (int i = 0; i < reads && decoder.Next(&message); ++i) {
        decoded.push_back(message);
      }
    }
    Message message;
    while (decoder.Next(&message)) decoded.push_back(message);
    EXPECT_EQ(decoder.error(), "");
    EXPECT_EQ(decoder.pending(), 0u);
    ASSERT_EQ(decoded.size(), sent.size());
    for (size_t i = 0; i < sent.size(); ++i) {
      ExpectSameMessage(decoded[i], sent[i]);
    }
  }
}

TEST(DecoderTest, MessageSplitAtEveryPoint) {
  const Message sent = FullMessage();
  const std::string bytes = Encoded(sent);
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
    ExpectSameMessage(message, sent);
    EXPECT_EQ(decoder.pending(), 0u);
    EXPECT_EQ(decoder.error(), "");
  }
}

TEST(DecoderTest, PendingCountsAPartialMessage) {
  Decoder decoder;
  EXPECT_EQ(decoder.pending(), 0u);
  const std::string first = Encoded(Message());
  const std::string second = Encoded(FullMessage());
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
  std::string bytes = Encoded(Message());
  bytes += LengthPrefix(0xffffffffu);
  bytes += Encoded(FullMessage());
  const std::vector<Message> decoded = DecodeAll(&decoder, bytes);
  EXPECT_EQ(decoded.size(), 1u);  // The one before the bad frame.
  const std::string error = decoder.error();
  ASSERT_NE(error, "");
  // Well-formed bytes after the error yield nothing and keep the error.
  const std::string more = Encoded(Message());
  decoder.Feed(more.data(), more.size());
  Message message;
  EXPECT_FALSE(decoder.Next(&message));
  EXPECT_EQ(decoder.error(), error);
}

TEST(DecoderTest, EmptyPayloadIsMalformed) { ExpectMalformed(Frame("")); }

TEST(DecoderTest, TruncatedPayloadIsMalformed) {
  // The frame length is consistent, but the payload stops early.
  const std::string bytes = Encoded(FullMessage());
  const std::string payload = bytes.substr(4);
  for (size_t size = 0; size < payload.size(); ++size) {
    SCOPED_TRACE(size);
    ExpectMalformed(Frame(payload.substr(0, size)));
  }
}

TEST(DecoderTest, TrailingBytesInPayloadAreMalformed) {
  const std::string payload = Encoded(FullMessage()).substr(4);
  ExpectMalformed(Frame(payload + '\0'));
  ExpectMalformed(Frame(DefaultPayload().bytes() + "xyz"));
}

TEST(DecoderTest, UnknownTypeIsMalformed) {
  for (int type : {0, 12, 13, 63, 68, 100, 255}) {
    SCOPED_TRACE(type);
    ExpectMalformed(Frame(DefaultPayload(type).bytes()));
  }
}

TEST(DecoderTest, IdBeyondInt32IsMalformed) {
  ExpectMalformed(
      Frame(DefaultPayload(65, 0, {1, int64_t{INT32_MAX} + 1}).bytes()));
  ExpectMalformed(
      Frame(DefaultPayload(65, 0, {int64_t{INT32_MIN} - 1}).bytes()));
}

TEST(DecoderTest, PartFieldsBeyondIntAreMalformed) {
  ExpectMalformed(Frame(Head(6, -1, 0)
                            .PartFields(int64_t{INT32_MAX} + 1, 0, -1)
                            .Varint(0)
                            .String("")
                            .bytes()));
  ExpectMalformed(Frame(Head(6, -1, 0)
                            .PartFields(0, 0, int64_t{INT32_MIN} - 1)
                            .Varint(0)
                            .String("")
                            .bytes()));
}

TEST(DecoderTest, HasFileByteOtherThanZeroOrOneIsMalformed) {
  for (int value : {2, 0x80, 0xff}) {
    SCOPED_TRACE(value);
    ExpectMalformed(Frame(
        Head(6, -1, 0).PartFields(0, value, -1).Varint(0).String("").bytes()));
  }
}

TEST(DecoderTest, CountsLargerThanThePayloadAreMalformed) {
  // More ids than bytes left.
  ExpectMalformed(Frame(Head(65, -1, 1000).DefaultTail().bytes()));
  // A text longer than the payload.
  ExpectMalformed(Frame(
      Head(1, -1, 0).PartFields(0, 0, -1).Varint(0).Varint(1u << 30).bytes()));
  // A huge property count.
  ExpectMalformed(Frame(Head(1, -1, 0)
                            .PartFields(0, 0, -1)
                            .Varint(UINT64_MAX)
                            .String("")
                            .bytes()));
}

TEST(DecoderTest, OverlongVarintIsMalformed) {
  // An offset of eleven 7-bit groups (more than 64 bits) in an otherwise
  // well-formed payload.
  Payload payload;
  payload.Byte(1);
  for (int i = 0; i < 10; ++i) payload.Byte(0x80);
  payload.Byte(0);
  payload.Signed(0).Signed(0).Signed(0).Varint(0).DefaultTail();
  ExpectMalformed(Frame(payload.bytes()));
}

TEST(DecoderTest, GoodMessagesBeforeAMalformedOneAreDelivered) {
  std::string bytes = Encoded(FullMessage());
  bytes += Encoded(Message());
  bytes += Frame(DefaultPayload(0).bytes());
  Decoder decoder;
  const std::vector<Message> decoded = DecodeAll(&decoder, bytes);
  ASSERT_EQ(decoded.size(), 2u);
  ExpectSameMessage(decoded[0], FullMessage());
  EXPECT_NE(decoder.error(), "");
}

}  // namespace
}  // namespace internal
}  // namespace gtest_parallel
