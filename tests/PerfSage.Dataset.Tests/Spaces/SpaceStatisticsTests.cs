using System.Diagnostics;
using System.Globalization;
using PerfSage.Dataset.Spaces;
using PerfSage.Graph;
using Xunit;
using Xunit.Abstractions;

namespace PerfSage.Dataset.Tests;

/// <summary>
/// Statistics of many samples per space, printed (run with <c>--logger "console;verbosity=detailed"</c>) and
/// checked against bounds worked out from the knob ranges (docs/SEARCH_SPACES.md gives the derivations):
/// the extreme configurations' MACs and parameters, and op counts from the op budget of each layer.
/// </summary>
public class SpaceStatisticsTests(ITestOutputHelper output)
{
    private sealed record Bounds(int Samples, long MinOps, long MaxOps, long MinMacs, long MaxMacs,
        long MinParams, long MaxParams, long MinArenaBytes);

    private static readonly Dictionary<string, Bounds> Expected = new()
    {
        // kws. Ops: conv + 2·blocks + pooling (1–2) + FC + SOFTMAX (+2 with float I/O): 1+2+1+2 .. 1+12+2+2+2.
        // Smallest MACs: 3×3/2 first conv to 16 channels on 25×5 (25·5·16·9), one stride-2 block on 13×3
        // (13·3·16·9 + 13·3·16·16), MEAN, FC 16·12. Largest: 10×4/1 conv to 276 on 49×10, six stride-1
        // blocks of 276, flatten into FC: 49·10·276·40 + 6·(49·10·276·9 + 49·10·276·276) + 49·10·276·12.
        // Parameters (weights + biases) likewise; arena: int8 input (490 → 496 aligned) + 25·5·16 output.
        ["kws"] = new(1000, 6, 19,
            25 * 5 * 16 * 9 + 13 * 3 * 16 * 9 + 13 * 3 * 16 * 16 + 16 * 12,
            49L * 10 * 276 * 40 + 6 * (49L * 10 * 276 * 9 + 49L * 10 * 276 * 276) + 49L * 10 * 276 * 12,
            (9 * 16 + 16) + (9 * 16 + 16) + (16 * 16 + 16) + (16 * 12 + 12),
            (40 * 276 + 276) + 6 * (9 * 276 + 276 + 276 * 276 + 276) + (49 * 10 * 276 * 12 + 12),
            496 + 25 * 5 * 16),
        // vww. Ops: stem + 5 blocks × (depthwise + projection) + MEAN + FC + SOFTMAX at least; at most
        // 26 blocks × 11 (expansion, depthwise, 7-op SE, projection, ADD) + stem + head + 4 + 2 (float I/O).
        // MACs and parameters: the smallest configuration (64 px, ×0.25, 5 stages of one block, expansion 1,
        // 3×3, no SE, no head) and the largest (128 px, ×1.0, 7 stages, 2+6×4 blocks, expansion 6, 5×5, SE
        // everywhere, head 1280), computed layer by layer (see docs); +2 scalar constants per SE block.
        ["vww"] = new(1000, 14, 294, 415_664, 293_238_272, 1_522, 15_181_538 + 2 * 26, 64 * 64 * 3 + 32 * 32 * 8),
        // ic. Ops: stem + one identity block + one stride-2 block with shortcut + MEAN + FC + SOFTMAX = 11; at
        // most stem + 12 blocks × 3 + 4 shortcuts + 6. MACs: stem 8 channels (32·32·8·27), stage widths 8, 16
        // with 3×3, one block each: 221,184 + 1,179,648 + 294,912 + 589,824 + 32,768 + 160; the largest: stem
        // 32, widths 32, 64, 128, 128, 5×5, three blocks each. Arena: input 32·32·3 + stem 32·32·8.
        ["ic"] = new(1000, 11, 47,
            32 * 32 * 8 * 27 + 2 * 32 * 32 * 8 * 8 * 9 + 16 * 16 * 16 * 9 * 8 + 16 * 16 * 16 * 9 * 16 + 16 * 16 * 16 * 8 + 16 * 10,
            487_163_136, 5_194, 5_458_442, 32 * 32 * 3 + 32 * 32 * 8),
        // ad. Ops: 2·depth + 2 FULLY_CONNECTED (+2 with float I/O). MACs: depth 1, width 32, bottleneck 8;
        // depth 5, width 512, bottleneck 16. Parameters add the biases. Arena: 640 input + 32 hidden.
        ["ad"] = new(1000, 4, 14,
            640 * 32 + 32 * 8 + 8 * 32 + 32 * 640,
            640 * 512 + 4 * 512 * 512 + 512 * 16 + 16 * 512 + 4 * 512 * 512 + 512 * 640,
            640 * 32 + 32 * 8 + 8 * 32 + 32 * 640 + (32 + 8 + 32 + 640),
            640L * 512 + 8 * 512 * 512 + 2 * 512 * 16 + 512 * 640 + (5 * 512 + 16 + 5 * 512 + 640),
            640 + 32),
        // mobile (200 samples: the graphs are large). Ops: at least v2 with one block per stage (stem, 2 + 6×3,
        // head, MEAN + FC + SOFTMAX = 25); at most v2 with 26 blocks × 11 + 6, plus 2 DEQUANTIZE ops per weight
        // layer in float16 (133 layers). MACs and parameters: smallest v3 (128 px, ×0.35, one block per stage,
        // expansion 2, 3×3, no SE, 1024 head) to largest v2 (224 px, ×1.4, 2+6×4 blocks, expansion 6, 5×5,
        // SE everywhere). Arena: int8 128×128×3 input + 64×64×8 stem output.
        ["mobile"] = new(200, 25, 292 + 2 * 133, 4_982_016, 1_243_223_408, 1_406_520, 31_306_448 + 2 * 26,
            128 * 128 * 3 + 64 * 64 * 8),
        // nb201: from the folded empty network (0) to the all-nor_conv_3x3 genotype (see Nb201NetworkTests).
        ["nb201"] = new(1000, 0, 200, 0, 220_119_680, 0, 1_528_074, 32 * 32 * 3 * 4),
        ["nb201-int8"] = new(1000, 0, 200, 0, 220_119_680, 0, 1_528_074, 32 * 32 * 3),
        // ops. Ops: 1 drawn op up to 6, plus with float I/O a QUANTIZE per graph input (the first and up to one
        // per drawn op) and a DEQUANTIZE: 6 + 7 + 1. MACs: from 0 (elementwise only); every weighted layer's
        // MACs are positions × weight elements (conv, depthwise, FC: output positions; transpose conv: input
        // positions; LSTM: time steps, ≤ 64), positions ≤ the elements of one arena tensor (≤ 448 KiB at ≥ 1 B each) and the weights of
        // all layers ≤ the constant budget (1,792 KiB at ≥ 1 B each), so at most 458,752 · 1,835,008. Parameters:
        // ≤ constant bytes. Arena: an int8 [1,1] input and output, 16-byte aligned each.
        ["ops"] = new(1000, 1, 6 + 7 + 1, 0, 458_752L * 1_835_008, 0, 1_835_008, 16 + 16),
    };

    public static TheoryData<string> Spaces => [.. SearchSpaces.Names];

    [Theory]
    [MemberData(nameof(Spaces))]
    public void Statistics_of_many_samples_stay_within_the_documented_ranges(string name)
    {
        ISearchSpace space = SearchSpaces.Get(name);
        Bounds b = Expected[name];
        var sw = Stopwatch.StartNew();
        var samples = new List<SpaceSample>(b.Samples);
        for (int i = 0; i < b.Samples; i++)
        {
            samples.Add(space.Sample(42, i));
        }
        double msPerSample = sw.Elapsed.TotalMilliseconds / b.Samples;

        output.WriteLine(Stats.Table(name, b.Samples,
        [
            ("macs", Stats.Of(samples.Select(s => s.Graph.TotalMacs))),
            ("params", Stats.Of(samples.Select(s => s.Graph.TotalParameters))),
            ("ops", Stats.Of(samples.Select(s => (long)s.Graph.Nodes.Length))),
            ("arena_bytes", Stats.Of(samples.Select(s => s.ArenaPeakBytes))),
            ("constant_bytes", Stats.Of(samples.Select(s => s.Graph.ConstantBytes))),
        ]));
        int redrawn = samples.Count(s => s.Attempt > 0);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{msPerSample:F3} ms per sample; {redrawn} of {b.Samples} redrawn for the budget (most attempts {samples.Max(s => s.Attempt) + 1})"));
        foreach (IGrouping<string, SpaceSample> g in samples.GroupBy(s => s.Family + " " + s.Variant).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {g.Key}: {g.Count()}"));
        }

        foreach (SpaceSample s in samples)
        {
            OpGraph g = s.Graph;
            Assert.InRange(g.Nodes.Length, b.MinOps, b.MaxOps);
            Assert.InRange(g.TotalMacs, b.MinMacs, b.MaxMacs);
            Assert.InRange(g.TotalParameters, b.MinParams, b.MaxParams);
            Assert.InRange(s.ArenaPeakBytes, b.MinArenaBytes, space.Budget.ArenaBytes);
        }
        // The samples spread over the range rather than sitting at one end.
        Stats macs = Stats.Of(samples.Select(s => s.Graph.TotalMacs));
        Assert.True(macs.Max > 4 * Math.Max(1, macs.P25), $"{name}: MACs barely vary ({macs})");
    }

    [Theory]
    [MemberData(nameof(Spaces))]
    public void Every_sample_fits_its_memory_budget(string name)
    {
        ISearchSpace space = SearchSpaces.Get(name);
        // The budgets restated from docs/SEARCH_SPACES.md: microcontrollers 448 KiB arena and 1,792 KiB of
        // constants (STM32F767ZI, 512 KB SRAM and 2 MB flash, less headroom); GPUs 100 MB in all.
        bool mcu = space.IntendedFamilies.Contains("cortex-m");
        int n = name == "mobile" ? 200 : 1000;
        for (int i = 0; i < n; i++)
        {
            SpaceSample s = space.Sample(2024, i);
            long arena = ArenaPlanner.Plan(s.Graph).PeakBytes;
            Assert.Equal(s.ArenaPeakBytes, arena);
            long weights = s.Graph.TotalWeightBytes + s.Graph.TotalBiasBytes;
            Assert.True(weights <= s.Graph.ConstantBytes, $"{s.ModelId}: weights {weights} > constants {s.Graph.ConstantBytes}");
            if (mcu)
            {
                Assert.True(arena <= 448 * 1024, $"{s.ModelId}: arena {arena} B");
                Assert.True(s.Graph.ConstantBytes <= 1792 * 1024, $"{s.ModelId}: constants {s.Graph.ConstantBytes} B");
            }
            else
            {
                Assert.True(arena + s.Graph.ConstantBytes <= 100_000_000, $"{s.ModelId}: {arena} + {s.Graph.ConstantBytes} B");
            }
        }
    }
}
