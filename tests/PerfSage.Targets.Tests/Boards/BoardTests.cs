using PerfSage.Graph;
using PerfSage.Tflite;
using Xunit;

namespace PerfSage.Targets.Tests;

/// <summary>The board presets (data/boards/*.json) and <see cref="BoardEstimator"/>, with numbers typed from the
/// board files' derivations.</summary>
public sealed class BoardTests
{
    private static readonly BoardCatalog Boards = BoardCatalog.LoadDefault();

    [Fact]
    public void Default_boards_are_the_issue_list_and_name_catalog_targets()
    {
        Assert.Equal(
        [
            "alif-ensemble-e7", "arduino-nano-33-ble", "corstone-300", "corstone-310", "ek-ra6m4", "ek-ra8d1",
            "nucleo-g0b1re", "nucleo-h7a3zi-q", "nucleo-l4r5zi", "nucleo-u575zi-q", "numaker-m467", "raspberry-pi-pico",
            "stm32f746g-disco",
        ], Boards.Ids);
        Assert.Equal("cortex-m0plus", Boards.Get("raspberry-pi-pico").Target.Id);
        Assert.Equal("ethos-u55-256", Boards.Get("alif-ensemble-e7").Target.Id);
        Assert.Same(Boards.Get("NUCLEO-L4R5ZI"), Boards.Get("nucleo-l4r5zi"));
        foreach (Board b in Boards.Boards)
        {
            Assert.All(b.Numbers.Values, v => Assert.True(v.Source is not null || v.Assumption is not null));
            Assert.True(b.PowerMw(b.ClockMhz.Value) > 0);
        }
    }

    [Fact]
    public void Unknown_board_lists_the_boards()
    {
        TargetException e = Assert.Throws<TargetException>(() => Boards.Get("nucleo-f401re"));
        Assert.StartsWith("unknown board 'nucleo-f401re'; valid boards: alif-ensemble-e7, arduino-nano-33-ble,", e.Message);
        Assert.Equal(Boards.Ids, e.ValidIds);
    }

    [Fact]
    public void Power_models_by_hand()
    {
        // NUCLEO-L4R5ZI: 3.0 V × 110 µA/MHz × 120 MHz = 39.6 mW, × 1.131 (fitted on its rows) = 44.79 mW.
        Assert.Equal(39.6 * 1.131, Boards.Get("nucleo-l4r5zi").PowerMw(120), 9);
        // NUCLEO-U575ZI-Q: 3.0 × 19.5 × 160 / 1000 = 9.36 mW × 2.47 = 23.12 mW (the measured X-CUBE-AI power).
        Assert.Equal(9.36 * 2.47, Boards.Get("nucleo-u575zi-q").PowerMw(160), 9);
        // No row: the median factor 1.18. Pico: 3.3 V × 150 µA/MHz × 125 MHz = 61.875 mW × 1.18.
        Assert.Equal(61.875 * 1.18, Boards.Get("raspberry-pi-pico").PowerMw(125), 9);
        // Flash stream: 8 B per (5 + 1) cycles on the L4R5, 8 B per (2 + 1) on the G0B1; none on Ethos-U boards.
        Assert.Equal(8 / 6.0, Boards.Get("nucleo-l4r5zi").FlashBytesPerCycle!.Value, 12);
        Assert.Equal(8 / 3.0, Boards.Get("nucleo-g0b1re").FlashBytesPerCycle!.Value, 12);
        Assert.Null(Boards.Get("corstone-300").FlashBytesPerCycle);
    }

    [Fact]
    public void Board_estimate_is_the_core_cycles_at_the_board_clock_with_the_board_power()
    {
        var b = new OpGraphBuilder("conv");
        int x = b.AddInput([1, 16, 16, 8], TensorType.Int8);
        b.MarkOutput(b.Conv2D(x, filters: 16, kernelH: 3, kernelW: 3));
        OpGraph g = b.Build();

        Board pico = Boards.Get("raspberry-pi-pico");
        TargetEstimate e = BoardEstimator.Estimate(pico, g);
        // Same cycles as the M0+ conv of SmallCoreTests (9.073 c/MAC × 294,912 + 1,600 = 2,677,336.6; its 1,216 B of
        // weights stream at 8/8 = 1 B/cycle, still below compute), at 125 MHz.
        Assert.Equal(2_677_337L, e.Cycles);
        Assert.Equal(2_677_336.6 / 125_000, e.LatencyMs, 6);
        Assert.Equal(125, e.ClockMhz);
        Assert.Equal("raspberry-pi-pico", e.Board);
        Assert.Equal(61.875 * 1.18 * e.LatencyMs / 1000, e.EnergyMj, 12);
        Assert.Contains(e.Notes, n => n.StartsWith("board raspberry-pi-pico: RP2040", StringComparison.Ordinal));

        // A clock override moves time and power together: 2x the clock, half the time, the per-MHz power doubled.
        TargetEstimate fast = BoardEstimator.Estimate(pico, g, new EstimateOptions { ClockMhz = 250 });
        Assert.Equal(e.Cycles, fast.Cycles);
        Assert.Equal(e.LatencyMs / 2, fast.LatencyMs, 9);
        Assert.Equal(e.EnergyMj, fast.EnergyMj, 12);
    }

    [Fact]
    public void A_slow_flash_makes_a_big_fully_connected_layer_flash_bound_on_the_board()
    {
        var b = new OpGraphBuilder("fc");
        int x = b.AddInput([1, 64], TensorType.Int8);
        b.MarkOutput(b.FullyConnected(x, 1000));
        OpGraph g = b.Build();
        // 64,000 MACs; weights 64,000 B + bias 4,000 B = 68,000 B.
        // cortex-m7 vendor FC 1.39 c/MAC (fit) → ~89,000 + 300 compute cycles; at the F746 line rate 32 B / 8 cycles
        // the stream is 17,000 cycles (compute-bound). The H7A3 preset reads 16 B per 7 cycles: 29,750 cycles, still
        // compute-bound. On the Pico (8 B per 8 cycles) the M0+ computes 64,000 × 6.1567 + 1,600 = 395,629 cycles
        // against a 68,000-cycle stream: compute-bound too. So the flash term is checked directly:
        Assert.Equal(68_000 / (16 / 7.0), 68_000 / Boards.Get("nucleo-h7a3zi-q").FlashBytesPerCycle!.Value, 6);
        TargetEstimate pico = BoardEstimator.Estimate(Boards.Get("raspberry-pi-pico"), g);
        Assert.Equal((long)Math.Round(64_000 * 6.1567 + 1600), pico.Layers[0].Cycles);
        Assert.Equal(LayerBound.Compute, pico.Layers[0].Bound);
    }

    [Fact]
    public void The_sram_note_names_the_board()
    {
        var big = new OpGraphBuilder("big");
        int y = big.AddInput([1, 128, 128, 16], TensorType.Int8);
        big.MarkOutput(big.Conv2D(y, filters: 16, kernelH: 1, kernelW: 1));
        // Input and output 256 KiB each: over the 144 KB of the G0B1.
        TargetEstimate e = BoardEstimator.Estimate(Boards.Get("nucleo-g0b1re"), big.Build());
        Assert.Contains(e.Notes, n => n.StartsWith("arena ", StringComparison.Ordinal) && n.EndsWith("KB SRAM of nucleo-g0b1re", StringComparison.Ordinal));
    }

    [Fact]
    public void Bad_board_files_name_the_file_and_the_field()
    {
        string dir = Path.Combine(Path.GetTempPath(), "perfsage-boards-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string good = File.ReadAllText(Path.Combine(BoardCatalog.DefaultDirectory, "nucleo-g0b1re.json"));
            string file = Path.Combine(dir, "nucleo-g0b1re.json");
            File.WriteAllText(file, good.Replace("\"target\": \"cortex-m0plus\"", "\"target\": \"cortex-m99\"", StringComparison.Ordinal));
            TargetException e = Assert.Throws<TargetException>(() => BoardCatalog.Load(dir, TargetCatalog.LoadDefault()));
            Assert.Equal($"{file}: $.target 'cortex-m99' is not a target of the catalog", e.Message);

            File.WriteAllText(file, good.Replace("\"source\"", "\"note\"", StringComparison.Ordinal)
                .Replace("\"assumption\"", "\"note\"", StringComparison.Ordinal));
            e = Assert.Throws<TargetException>(() => BoardCatalog.Load(dir, TargetCatalog.LoadDefault()));
            Assert.StartsWith($"{file}: $.clock_mhz has neither a \"source\" nor an \"assumption\"", e.Message);

            // Read alone, a board has no target: estimating with it is refused, never a null dereference.
            File.WriteAllText(file, good);
            Board alone = BoardCatalog.ReadFile(file);
            var b = new OpGraphBuilder("one");
            b.MarkOutput(b.Relu(b.AddInput([1, 4], TensorType.Int8)));
            Assert.Throws<TargetException>(() => BoardEstimator.Estimate(alone, b.Build()));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
