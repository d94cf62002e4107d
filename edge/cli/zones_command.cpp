// anpr-edge zones: draws a camera's read and ignore zones on a frame of its source, so an
// engineer setting up a camera sees what the config says before the unit goes live.
#include <cstdio>
#include <stop_token>

#include "anpr/common/error.hpp"
#include "anpr/edge/camera/frame_source.hpp"
#include "anpr/edge/camera/i420_image.hpp"
#include "anpr/edge/camera/zones.hpp"
#include "anpr/edge/edge_config.hpp"
#include "anpr/edge/reader/image_codec.hpp"
#include "cli.hpp"

namespace anpr::edge::cli {
namespace {

struct ZonesOptions {
  std::string config_file, source, out = "zones.png";
};

/// The first frame the source gives, as BGR; throws anpr::Error when none comes.
cv::Mat first_frame(SourceSettings source) {
  source.realtime = false;
  source.loop = false;
  FrameSource frames(source);
  std::stop_source stop;
  cv::Mat bgr;
  frames.run(
      stop.get_token(),
      [&](const Frame& f) {
        if (bgr.empty()) bgr = i420_scaled_bgr(f.i420, 1.0);
        stop.request_stop();
      },
      [&] { stop.request_stop(); });  // a stream that is lost gives no picture: stop, do not retry for ever
  if (bgr.empty()) throw Error(ErrorCode::kInput, "no frame could be read from " + source.uri);
  return bgr;
}

int run(const ZonesOptions& o) {
  EdgeConfig c = load_edge_config(o.config_file);
  if (!o.source.empty()) c.source.uri = o.source;
  if (c.source.uri.empty())
    throw Error(ErrorCode::kConfig, "give --source or source.uri in " + o.config_file);
  cv::Mat picture = first_frame(c.source);
  check_zones_fit(c.zones, picture.size());
  Zones(c.zones).draw(picture);
  write_image(o.out, picture);
  std::printf("%s: %zu read zone(s) in green, %zu ignore zone(s) in red, on a %dx%d frame of %s\n",
              o.out.c_str(), c.zones.read.size(), c.zones.ignore.size(), picture.cols, picture.rows,
              c.source.uri.c_str());
  if (c.zones.empty()) std::printf("no zones are configured: the whole frame is read\n");
  return 0;
}

}  // namespace

void add_zones_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<ZonesOptions>();
  CLI::App* cmd =
      app.add_subcommand("zones", "Draw the config's read and ignore zones on a frame of the source");
  cmd->add_option("--config", o->config_file, "Edge config file (TOML) with a [zones] section")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--source", o->source, "Video file, stream or device (default: the config's source.uri)");
  cmd->add_option("--out", o->out, "Picture to write (PNG or JPEG)")->capture_default_str();
  cmd->callback([o, &exit_code] { exit_code = run(*o); });
}

}  // namespace anpr::edge::cli
