// siptgw — the gateway binary and its operator tools.
//   siptgw run [-c FILE] [--duration-ms N]  the gateway; without -c the embedded demo
//                                        (config/demo.yaml; exit 0, 1 start failure, 2 config error)
//   siptgw check-config [FILE]           validate a gateway configuration (default: the
//                                        embedded demo); exit 0, or 1 with every error
//   siptgw isup decode [--variant itu|ansi] [--body] HEX
//   siptgw isup encode [--variant itu|ansi] [--body] JSON|-
//   siptgw sip check FILE                well-formed per RFC 3261? (exit 0 / 1)
//   siptgw exchange-sim [--check] -c FILE  the far-end exchange simulator over M3UA
//                                        (docs/exchange-sim.md; exit 0 / 1 / 2 config error)
#include <iostream>
#include <iterator>
#include <string>

#include <CLI/CLI.hpp>

#include "config/huge_heap.h"
#include "gateway/exchange_sim_cmd.h"
#include "gateway/gateway_config.h"
#include "gateway/isup_tool.h"
#include "gateway/runtime.h"
#include "gateway/sip_tool.h"

namespace {
// Virtual address space only: pages are touched (2 MiB at a time) as the heap is used.
constexpr std::size_t kHugeHeapBytes = std::size_t{256} << 20;

std::string readAllStdin() {
  return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
}
}  // namespace

int main(int argc, char** argv) {
  using namespace siptgw;
  CLI::App app{"siptgw — SIP ⇄ SS7/ISUP interworking gateway"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "siptgw 0.1.0");

  std::string configFile;
  auto* run = app.add_subcommand("run", "Run the gateway (default: the embedded demo configuration)");
  run->add_option("-c,--config", configFile, "Configuration file (YAML)");
  uint32_t durationMs = 0;
  run->add_option("--duration-ms", durationMs, "Stop after this long (0: run until SIGINT/SIGTERM)");

  auto* isupCmd = app.add_subcommand("isup", "ISUP codec tools (ITU-T Q.763, ANSI T1.113)");
  isupCmd->require_subcommand(1);
  std::string variantName = "itu";
  bool body = false;
  bool pretty = false;
  std::string input;
  auto* dec = isupCmd->add_subcommand("decode", "Decode a hex ISUP message (CIC onwards) to JSON");
  auto* enc = isupCmd->add_subcommand("encode", "Encode a JSON ISUP message to hex");
  for (auto* c : {dec, enc}) {
    c->add_option("--variant", variantName, "Protocol variant")->check(CLI::IsMember({"itu", "ansi"}));
    c->add_flag("--body", body, "RFC 3204 application/ISUP form: starts at the message type (no CIC)");
  }
  dec->add_flag("--pretty", pretty, "Indent the JSON");
  dec->add_option("HEX", input, "Message octets as hex ('-' reads standard input)")->required();
  enc->add_option("JSON", input, "Message as JSON ('-' reads standard input)")->required();

  auto* sipCmd = app.add_subcommand("sip", "SIP tools");
  sipCmd->require_subcommand(1);
  std::string sipFile;
  auto* check = sipCmd->add_subcommand("check", "Check that FILE holds one well-formed SIP message (RFC 3261)");
  check->add_option("FILE", sipFile, "The message, as captured")->required();

  std::string simFile;
  bool simCheck = false;
  auto* sim = app.add_subcommand("exchange-sim", "Far-end exchange simulator over M3UA (docs/exchange-sim.md)");
  sim->add_option("-c,--config", simFile, "Simulator configuration (YAML)")->required();
  sim->add_flag("--check", simCheck, "Only validate the configuration");

  std::string checkFile;
  auto* checkConfig = app.add_subcommand(
      "check-config", "Validate a gateway configuration without starting (docs/configuration.md)");
  checkConfig->add_option("FILE", checkFile, "Configuration (YAML); absent: the embedded demo configuration");

  CLI11_PARSE(app, argc, argv);

  if (checkConfig->parsed()) return gateway::checkConfigCommand(checkFile, std::cout, std::cerr);

  if (sim->parsed()) return gateway::exchangeSimCommand(simFile, simCheck, std::cout, std::cerr);

  if (check->parsed()) return gateway::sipCheck(sipFile, std::cout, std::cerr);

  if (run->parsed()) {
    // Before anything of the gateway is allocated (config/huge_heap.h says why).
    if (const HugeHeap h = adviseHugePageHeap(kHugeHeapBytes); h.bytes == 0)
      std::cerr << "siptgw: heap: on 4 KiB pages (" << h.problem << ")\n";
    auto cfg = configFile.empty() ? gateway::loadDemoConfig() : gateway::loadGatewayConfig(configFile);
    if (!cfg) {
      std::cerr << cfg.error().describe();
      return 2;
    }
    gateway::RunOptions opt;
    opt.durationMs = durationMs;
    return gateway::runGateway(*cfg, opt, std::cout, std::cerr);
  }
  const isup::Variant v = *isup::variantFromName(variantName);
  const isup::Framing f = body ? isup::Framing::Body : isup::Framing::Wire;
  if (input == "-") input = readAllStdin();
  if (dec->parsed()) return gateway::isupDecode(input, v, f, pretty, std::cout, std::cerr);
  return gateway::isupEncode(input, v, f, std::cout, std::cerr);
}
