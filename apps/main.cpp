#include <exception>
#include <iostream>

#include "apps/cli.h"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    return mpsim::cli::run(args, {std::cin, std::cout, std::cerr});
  } catch (const std::exception& e) {
    std::cerr << "mpsim: internal error: " << e.what() << '\n';
    return 1;
  }
}
