// Unit tests of the worker protocol's messages: every type's round trip,
// the layout on the wire, and the protocol version check.
#include "protocol/protocol.h"

#include <gtest/gtest.h>

#if !defined(_WIN32)
#include <sys/wait.h>
#endif

#include <cstdint>
#include <cstdio>
#include <string>
#include <variant>
#include <vector>

#include "coordinator/rerun.h"
#include "platform/process.h"
#include "protocol/variables.h"
#include "protocol_test_util.h"

namespace gtest_parallel {
namespace internal {
namespace {

// One message of each type, each field set to something other than its
// default.
std::vector<Message> FullMessages() {
  Part part;
  part.type = 2;
  part.has_file = true;
  part.file = "dir/file name.cc";
  part.line = 123456;
  part.message = Bytes("Expected: 1\0 actual: \xff");
  const std::vector<Property> properties = {
      {"key", "value"}, {"", ""}, {AllBytes(), AllBytes()}};
  return {
      Message{Hello{kProtocolVersion, 4321, 77, UINT64_MAX}},
      Message{EnvSetUp{3, false, properties}, 10},
      Message{Request{4, false}},
      Message{SuiteSetUp{5, 1700000000123, 42}, 20},
      Message{TestStart{6, 1700000000456}, 30},
      Message{PartEvent{Scope::kSuiteTearDown, 7, part}, int64_t{1} << 40},
      Message{TestEnd{8, 1700000000789, 12, properties, 2}, 40},
      Message{More{9}},
      Message{SuiteEnd{10, 13, properties, {0, -1, INT32_MIN, INT32_MAX}}, 50},
      Message{EnvTearDown{11, properties}, 60},
      Message{IterationEnd{12, INT64_MAX, 14, 15}},
      Message{Config{16, -1, -17, 18, properties}},
      Message{Grant{19, {20, 300, -300}, true}},
      Message{NoMore()},
      Message{Done()},
  };
}

TEST(ProtocolTest, RoundTripsEveryTypeWithEveryField) {
  const std::vector<Message> messages = FullMessages();
  ASSERT_EQ(messages.size(), std::variant_size_v<MessageBody>);
  for (size_t i = 0; i < messages.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(messages[i].body.index(), i);  // One of each.
    EXPECT_EQ(RoundTrip(messages[i]), messages[i]);
  }
}

TEST(ProtocolTest, RoundTripsEveryTypeWithDefaultFields) {
  for (const Message& full : FullMessages()) {
    Message message{DefaultOf(full.body.index())};
    SCOPED_TRACE(static_cast<int>(TypeOf(message)));
    EXPECT_EQ(RoundTrip(message), message);
  }
}

TEST(ProtocolTest, FieldsComeBackByName) {
  const Message decoded = RoundTrip(
      Message{TestEnd{8, 1700000000789, 12, {{"k", "v"}}, std::nullopt}, 40});
  const TestEnd* end = std::get_if<TestEnd>(&decoded.body);
  ASSERT_NE(end, nullptr);
  EXPECT_EQ(decoded.offset, 40);
  EXPECT_EQ(end->test, 8);
  EXPECT_EQ(end->start_ms, 1700000000789);
  EXPECT_EQ(end->elapsed_ms, 12);
  EXPECT_EQ(end->properties, (std::vector<Property>{{"k", "v"}}));
  EXPECT_FALSE(end->kept_parts.has_value());
  // None kept is not the same as nothing cleared.
  const Message none{TestEnd{8, 0, 0, {}, 0}};
  EXPECT_EQ(std::get<TestEnd>(RoundTrip(none).body).kept_parts, 0);
}

TEST(ProtocolTest, TypeTagsStayAsTheyWere) {
  const int kTags[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 64, 65, 66, 67};
  const std::vector<Message> messages = FullMessages();
  for (size_t i = 0; i < messages.size(); ++i) {
    EXPECT_EQ(static_cast<int>(TypeOf(messages[i])), kTags[i]);
    // The tag follows the 4-byte length.
    EXPECT_EQ(static_cast<uint8_t>(Encoded(messages[i])[4]), kTags[i]);
    EXPECT_EQ(IsCommand(TypeOf(messages[i])), kTags[i] >= 64);
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
    SCOPED_TRACE(value);
    const int narrow = static_cast<int>(value);
    const Message set_up{SuiteSetUp{narrow, value, ~value}, value};
    EXPECT_EQ(RoundTrip(set_up), set_up);
    const Message end{IterationEnd{~narrow, value, narrow, ~narrow}};
    EXPECT_EQ(RoundTrip(end), end);
    const Message hello{
        Hello{kProtocolVersion, value, narrow, static_cast<uint64_t>(value)}};
    EXPECT_EQ(RoundTrip(hello), hello);
  }
}

TEST(ProtocolTest, RoundTripsEmptyAndBinaryStrings) {
  PartEvent event;
  event.part.has_file = true;  // A file that is known but empty.
  event.part.message = Bytes("a\0b\0");
  Message message{event};
  EXPECT_EQ(RoundTrip(message), message);
  // A long string needs a multi-byte length.
  std::get<PartEvent>(message.body).part.message = std::string(100000, '\x80');
  EXPECT_EQ(RoundTrip(message), message);
  const Message global{EnvSetUp{
      0, true, {{"", ""}, {std::string(1, '\0'), std::string(3, '\0')}}}};
  EXPECT_EQ(RoundTrip(global), global);
}

TEST(ProtocolTest, DecodingOverAMessageOfTheSameTypeLeavesNothingBehind) {
  // Decoding reuses the message it decodes into: a message with fewer
  // things must still reset every field.
  const std::vector<Message> full = FullMessages();
  for (const Message& before : full) {
    const Message plain{DefaultOf(before.body.index())};
    SCOPED_TRACE(static_cast<int>(TypeOf(plain)));
    Decoder decoder;
    const std::string bytes = Encoded(before) + Encoded(plain);
    decoder.Feed(bytes.data(), bytes.size());
    Message message;
    ASSERT_TRUE(decoder.Next(&message));
    EXPECT_EQ(message, before);
    ASSERT_TRUE(decoder.Next(&message));
    EXPECT_EQ(message, plain);
  }
}

TEST(ProtocolTest, EncodeAppends) {
  std::string bytes = "prefix";
  const std::vector<Message> messages = FullMessages();
  for (const Message& message : messages) Encode(message, &bytes);
  ASSERT_EQ(bytes.substr(0, 6), "prefix");
  Decoder decoder;
  EXPECT_EQ(DecodeAll(&decoder, bytes.substr(6)), messages);
}

TEST(ProtocolTest, FrameStartsWithLittleEndianPayloadLength) {
  for (const Message& message : FullMessages()) {
    const std::string bytes = Encoded(message);
    ASSERT_GE(bytes.size(), 4u);
    EXPECT_EQ(bytes.substr(0, 4), LengthPrefix(bytes.size() - 4));
  }
}

TEST(ProtocolTest, PayloadBuilderMatchesEncode) {
  // The malformed-input tests build payloads by hand; they rely on this
  // layout: tag, offset, then the fields in order.
  EXPECT_EQ(Encoded(Message{Grant{5, {5, -7}, true}, 300}),
            Frame(Payload()
                      .Byte(65)
                      .Signed(300)
                      .Signed(5)
                      .Varint(2)
                      .Signed(5)
                      .Signed(-7)
                      .Byte(1)
                      .bytes()));
  EXPECT_EQ(Encoded(Message{TestEnd{3, 4, 5, {{"k", "v"}}, 6}}),
            Frame(Payload()
                      .Byte(7)
                      .Signed(-1)
                      .Signed(3)
                      .Signed(4)
                      .Signed(5)
                      .Varint(1)
                      .String("k")
                      .String("v")
                      .Byte(1)
                      .Signed(6)
                      .bytes()));
  EXPECT_EQ(Encoded(Message{PartEvent{Scope::kTest, 2, Part()}}),
            Frame(Payload()
                      .Byte(6)
                      .Signed(-1)
                      .Byte(2)
                      .Signed(2)
                      .PartFields(0, 0, -1)
                      .bytes()));
  EXPECT_EQ(Encoded(Message{Done()}),
            Frame(Payload().Byte(67).Signed(-1).bytes()));
}

TEST(ProtocolTest, AFastTestCostsAFewBytes) {
  // A passing test is one TestEnd (its TestStart is held back and
  // dropped): it must stay small.
  const Message end{TestEnd{1000, 1700000000789, 0, {}, std::nullopt}, 5000};
  EXPECT_LE(Encoded(end).size(), 20u);
}

TEST(VersionTest, HelloCarriesTheProtocolVersionFirst) {
  EXPECT_EQ(kProtocolVersion, 2);
  EXPECT_EQ(Hello().version, kProtocolVersion);
  EXPECT_EQ(Encoded(Message{Hello{kProtocolVersion, 1, 2, 3}}),
            Frame(Payload()
                      .Byte(1)
                      .Signed(-1)
                      .Signed(kProtocolVersion)
                      .Signed(1)
                      .Signed(2)
                      .Varint(3)
                      .bytes()));
}

TEST(VersionTest, HelloOfAnotherVersionDecodesToItsVersionAlone) {
  // Whatever else another version's Hello holds, in whatever shape, its
  // version is read and the rest left alone: not a malformed stream.
  Decoder decoder;
  const std::string bytes =
      Frame(Payload().Byte(1).Signed(-1).Signed(1).bytes() + "\xff\xff junk") +
      Frame(Payload().Byte(1).Signed(-1).Signed(3).bytes()) +
      Encoded(Message{Hello{kProtocolVersion, 5, 6, 7}});
  const std::vector<Message> decoded = DecodeAll(&decoder, bytes);
  EXPECT_EQ(decoder.error(), "");
  ASSERT_EQ(decoded.size(), 3u);
  Hello one;
  one.version = 1;
  EXPECT_EQ(decoded[0], Message{one});
  EXPECT_EQ(std::get<Hello>(decoded[1].body).version, 3);
  EXPECT_EQ(std::get<Hello>(decoded[1].body).pid, 0);
  EXPECT_EQ(decoded[2], (Message{Hello{kProtocolVersion, 5, 6, 7}}));
  // A Hello must still hold a version.
  ExpectMalformed(Frame(Payload().Byte(1).Signed(-1).bytes()));
}

TEST(VersionTest, MismatchIsOneLineNamingBothVersions) {
  EXPECT_EQ(VersionMismatch(kProtocolVersion), "");
  EXPECT_EQ(VersionMismatch(1),
            "speaks protocol version 1, the coordinator version 2 (is it "
            "another build of the program?)");
  EXPECT_EQ(VersionMismatch(-3).find('\n'), std::string::npos);
}

#if !defined(_WIN32)
// This program, run as the coordinator of a worker (one test: one worker)
// whose Hello claims protocol version 1: the run must fail before any test,
// saying why.
TEST(VersionTest, AWorkerOfAnotherVersionFailsTheRun) {
  const std::string self =
      SelfExecutable(testing::internal::GetArgvs()[0].c_str());
  std::string command = "env";
  // Not a worker itself, nor with this run's output.
  for (const char* name :
       {kChannelVariable, kCoordinatorVariable, kAloneVariable,
        "GTEST_PARALLEL", "GTEST_PARALLEL_WORKER", "GTEST_PARALLEL_WORKERS",
        "GTEST_OUTPUT", "XML_OUTPUT_FILE"}) {
    command += std::string(" -u ") + name;
  }
  command += " GTEST_PARALLEL_TESTING_PROTOCOL_VERSION=1 " + ShellQuote(self) +
             " --gtest_parallel=2 --gtest_parallel_timing_file=none"
             " --gtest_filter=VersionTest.HelloCarriesTheProtocolVersionFirst"
             " 2>&1";
  std::FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[4096];
  size_t got;
  while ((got = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) {
    output.append(buffer, got);
  }
  const int status = pclose(pipe);
  ASSERT_TRUE(WIFEXITED(status)) << output;
  EXPECT_EQ(WEXITSTATUS(status), 1) << output;
  EXPECT_NE(output.find("\ngtest_parallel: worker 1 speaks protocol version "
                        "1, the coordinator version 2 (is it another build "
                        "of the program?)\n"),
            std::string::npos)
      << output;
}
#endif

}  // namespace
}  // namespace internal
}  // namespace gtest_parallel
