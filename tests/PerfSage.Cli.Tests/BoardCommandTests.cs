using System.Globalization;
using PerfSage.Tests.Common;

namespace PerfSage.Cli.Tests;

/// <summary>
/// <c>--board</c> in estimate, predict, score and dataset build, and <c>targets --boards</c>. Power figures typed from
/// data/boards: NUCLEO-L4R5ZI 3.0 V × 110 µA/MHz × 120 MHz × 1.131 = 44.7876 mW.
/// </summary>
public class BoardCommandTests
{
    private const double L4r5PowerMw = 3.0 * 0.110 * 120 * 1.131;

    private static string Model => Path.Combine(SharedData.RepoRoot, "models", "examples", "kws_dscnn_int8.tflite");

    private static string DefaultModel => Path.Combine(SharedData.RepoRoot, "models", "perfsage-default");

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static double Num(string cell) => double.Parse(cell, CultureInfo.InvariantCulture);

    [Fact]
    public void Targets_boards_lists_every_preset()
    {
        (int code, string stdout, string stderr) = CliRunner.Run("targets", "--boards", "-f", "csv");
        Assert.True(code == 0, stderr);
        string[] lines = Lines(stdout);
        Assert.Equal("board,part,core,target,clock_mhz,sram_kb,flash_kb,flash_wait_states,power_mw,calibration", lines[0]);
        Assert.Equal(14, lines.Length);
        Assert.StartsWith("raspberry-pi-pico,RP2040,", lines.Single(l => l.StartsWith("raspberry-pi-pico,", StringComparison.Ordinal)));
        Assert.Contains(",ethos-u55-256,400,", lines.Single(l => l.StartsWith("alif-ensemble-e7,", StringComparison.Ordinal)));
    }

    [Fact]
    public void Unknown_or_malformed_board_exits_2_in_one_line()
    {
        (int code, string stdout, string stderr) = CliRunner.Run("estimate", "x.tflite", "--board", "nucleo-f401re");
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Single(Lines(stderr));
        Assert.StartsWith("perfsage: error: unknown board 'nucleo-f401re'; valid boards: alif-ensemble-e7, arduino-nano-33-ble, ", stderr);

        (code, _, stderr) = CliRunner.Run("estimate", "x.tflite", "--board", "../etc");
        Assert.Equal(2, code);
        Assert.Contains("board '../etc' is not a valid board name", stderr);

        (code, _, stderr) = CliRunner.Run("estimate", "x.tflite", "--board", "nucleo-l4r5zi", "--target", "cortex-m4");
        Assert.Equal(2, code);
        Assert.Contains("give either --board or --target/--all-targets, not both", stderr);
    }

    [SkippableFact]
    public void Estimate_on_the_l4r5_board_is_the_m4_latency_with_the_board_power()
    {
        Skip.IfNot(File.Exists(Model), "models/examples/kws_dscnn_int8.tflite is missing");
        (int code, string board, string stderr) = CliRunner.Run("estimate", Model, "--board", "nucleo-l4r5zi", "-f", "csv");
        Assert.True(code == 0, stderr);
        (code, string core, stderr) = CliRunner.Run("estimate", Model, "--target", "cortex-m4", "-f", "csv");
        Assert.True(code == 0, stderr);
        // Without --board the header has no board column (default output unchanged).
        Assert.Equal("model,target,clock_mhz,stack,latency_ms,energy_mj,peak_ram_kb,flash_kb,cycles,unsupported_ops", Lines(core)[0]);
        Assert.Equal("model,target,board,clock_mhz,stack,latency_ms,energy_mj,peak_ram_kb,flash_kb,cycles,unsupported_ops", Lines(board)[0]);
        string[] b = Lines(board)[1].Split(',');
        string[] c = Lines(core)[1].Split(',');
        Assert.Equal(("cortex-m4", "nucleo-l4r5zi", "120"), (b[1], b[2], b[3]));
        // Every layer is compute-bound, so the board's flash line (8 B / 6 cycles) changes nothing: same cycles.
        Assert.Equal(c[8], b[9]);
        Assert.Equal(Num(c[4]), Num(b[5]), 9);
        Assert.Equal(L4r5PowerMw * Num(b[5]) / 1000, Num(b[6]), 9);
    }

    [SkippableFact]
    public void Predict_on_the_pico_scales_the_m0plus_head_by_the_ratio_of_the_reference_estimates()
    {
        Skip.IfNot(File.Exists(Model), "models/examples/kws_dscnn_int8.tflite is missing");
        Skip.IfNot(File.Exists(Path.Combine(DefaultModel, "manifest.json")), "models/perfsage-default is not trained yet");
        // The RP2040 board (125 MHz, weights from QSPI flash) against the cortex-m0plus reference board (STM32G0B1 at
        // 64 MHz): the board's latency is the core head's prediction × board estimate / core estimate.
        (int code, string board, string stderr) = CliRunner.Run("predict", Model, "--board", "raspberry-pi-pico", "--model", DefaultModel, "-f", "csv");
        Assert.True(code == 0, stderr);
        (code, string core, stderr) = CliRunner.Run("predict", Model, "--target", "cortex-m0plus", "--model", DefaultModel, "-f", "csv");
        Assert.True(code == 0, stderr);
        (code, string boardEstimate, stderr) = CliRunner.Run("estimate", Model, "--board", "raspberry-pi-pico", "-f", "csv");
        Assert.True(code == 0, stderr);
        (code, string coreEstimate, stderr) = CliRunner.Run("estimate", Model, "--target", "cortex-m0plus", "-f", "csv");
        Assert.True(code == 0, stderr);
        double Latency(string csv)
        {
            string[] lines = Lines(csv);
            int column = Array.IndexOf(lines[0].Split(','), "latency_ms");
            return Num(lines[1].Split(',')[column]);
        }
        Assert.Equal(Latency(core) * Latency(boardEstimate) / Latency(coreEstimate), Latency(board), 3);
    }

    [SkippableFact]
    public void Predict_on_the_l4r5_board_scales_the_m4_head_by_the_board_power()
    {
        Skip.IfNot(File.Exists(Model), "models/examples/kws_dscnn_int8.tflite is missing");
        Skip.IfNot(File.Exists(Path.Combine(DefaultModel, "manifest.json")), "models/perfsage-default is not trained yet");
        (int code, string board, string stderr) = CliRunner.Run("predict", Model, "--board", "nucleo-l4r5zi", "--model", DefaultModel, "-f", "csv");
        Assert.True(code == 0, stderr);
        (code, string core, stderr) = CliRunner.Run("predict", Model, "--target", "cortex-m4", "--model", DefaultModel, "-f", "csv");
        Assert.True(code == 0, stderr);
        Assert.StartsWith("model,target,board,latency_ms,energy_mj,", Lines(board)[0]);
        Assert.StartsWith("model,target,latency_ms,energy_mj,", Lines(core)[0]);
        string[] b = Lines(board)[1].Split(',');
        string[] c = Lines(core)[1].Split(',');
        // Same clock (120 MHz) and same reference cycles (compute-bound): the latency head's value is kept; energy is
        // the board power × it; peak RAM and flash are the head's.
        Assert.Equal(Num(c[2]), Num(b[3]), 9);
        Assert.Equal(L4r5PowerMw * Num(b[3]) / 1000, Num(b[4]), 9);
        Assert.Equal((c[4], c[5]), (b[5], b[6]));
    }

    [SkippableFact]
    public void Score_and_dataset_build_take_boards()
    {
        Skip.IfNot(File.Exists(Model), "models/examples/kws_dscnn_int8.tflite is missing");
        Skip.IfNot(File.Exists(Path.Combine(DefaultModel, "manifest.json")), "models/perfsage-default is not trained yet");
        (int code, string csv, string stderr) = CliRunner.Run("score", Model, "--board", "stm32f746g-disco", "--model", DefaultModel, "--out", "-", "-q");
        Assert.True(code == 0, stderr);
        Assert.StartsWith("model,target,board,status,", Lines(csv)[0]);
        Assert.Contains(",cortex-m7,stm32f746g-disco,ok,", Lines(csv)[1]);

        using var scratch = new ScratchFolder();
        string data = scratch.Sub("boards");
        (code, _, stderr) = CliRunner.Run("dataset", "build", "--space", "kws", "--count", "2", "--board", "nucleo-g0b1re", "--out", data, "-q");
        Assert.True(code == 0, stderr);
        string[] labels = Lines(File.ReadAllText(Path.Combine(data, "labels.csv")));
        Assert.Equal(3, labels.Length);
        Assert.All(labels.Skip(1), l => Assert.Equal("nucleo-g0b1re", l.Split(',')[1]));
    }
}
