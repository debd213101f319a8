#include <exception>
#include <iostream>

#include "apps/cli.h"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    const int status = mpsim::cli::run(args, {std::cin, std::cout, std::cerr});
    return mpsim::cli::finish_output(std::cout, std::cerr, status);
  } catch (const std::exception& e) {
    std::cerr << "mpsim: internal error: " << e.what() << '\n';
    return 1;
  }
}
