// Message helpers: text from a file made printable, numbers shown short.
#include <doctest/doctest.h>

#include <limits>
#include <string>

#include "formats/error.h"

using mpsim::number_text;
using mpsim::printable;
using mpsim::printable_message;
using mpsim::quote;

TEST_CASE("messages: printable escapes control bytes, C1 controls and invalid UTF-8 as \\xNN") {
  CHECK(printable("conv1.weight") == "conv1.weight");
  CHECK(printable("a\x1b[31mred") == "a\\x1b[31mred");
  CHECK(printable(std::string("nul\0byte", 8)) == "nul\\x00byte");
  CHECK(printable("tab\tnew\nline\x7f") == "tab\\x09new\\x0aline\\x7f");
  // Valid UTF-8 stays as it is; C1 controls (U+0080..U+009F) are escaped byte by byte.
  CHECK(printable("caf\xc3\xa9 \xe2\x86\x92 \xf0\x9f\x98\x80") ==
        "caf\xc3\xa9 \xe2\x86\x92 \xf0\x9f\x98\x80");
  CHECK(printable("csi\xc2\x9b") == "csi\\xc2\\x9b");
  // Invalid: a stray byte, a truncated sequence, an overlong form, a surrogate, beyond U+10FFFF.
  CHECK(printable("a\xff") == "a\\xff");
  CHECK(printable("a\xe2\x86") == "a\\xe2\\x86");
  CHECK(printable("\xc0\xaf") == "\\xc0\\xaf");
  CHECK(printable("\xed\xa0\x80") == "\\xed\\xa0\\x80");
  CHECK(printable("\xf4\x90\x80\x80") == "\\xf4\\x90\\x80\\x80");
  CHECK(quote("x\x1b") == "'x\\x1b'");
}

TEST_CASE("messages: printable cuts long text at 80 characters, not inside a character") {
  CHECK(printable(std::string(80, 'L')) == std::string(80, 'L'));
  CHECK(printable(std::string(500, 'L')) == std::string(80, 'L') + "...");
  CHECK(printable("abcdef", 3) == "abc...");
  // Characters, not bytes: 81 two-byte letters keep 80 of them whole.
  std::string e;
  for (int i = 0; i < 81; ++i)
    e += "\xc3\xa9";
  const std::string cut = printable(e);
  CHECK(cut.size() == 160 + 3);
  CHECK(cut.substr(0, 2) == "\xc3\xa9");
  CHECK(cut.substr(cut.size() - 5) == "\xc3\xa9...");
}

TEST_CASE("messages: a whole message keeps its line breaks and length") {
  const std::string long_line(300, 'x');
  CHECK(printable_message("line 1\n\tline 2 " + long_line) == "line 1\n\tline 2 " + long_line);
  CHECK(printable_message("name 'a\x1b[2J\xff'") == "name 'a\\x1b[2J\\xff'");
}

TEST_CASE("messages: numbers are short, never hundreds of digits") {
  CHECK(number_text(1e308) == "1e+308");
  CHECK(number_text(-1e300) == "-1e+300");
  CHECK(number_text(0.1) == "0.1");
  CHECK(number_text(6) == "6");
  CHECK(number_text(500.25) == "500.25");
  CHECK(number_text(std::numeric_limits<double>::infinity()) == "inf");
  // Seven digits for a value stored as a float: 1e30f is 1.0000000150474662e+30 exactly.
  CHECK(number_text(1e30f, 7) == "1e+30");
  CHECK(number_text(0.1f, 7) == "0.1");
  CHECK(number_text(std::numeric_limits<float>::max(), 7) == "3.402823e+38");
}
