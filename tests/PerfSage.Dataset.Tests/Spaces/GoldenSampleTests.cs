using PerfSage.Dataset.Spaces;
using PerfSage.Tflite;
using Xunit;

namespace PerfSage.Dataset.Tests;

/// <summary>
/// Pinned samples: datasets are identified by (space, seed, count), so a change to a sampler silently changes
/// every dataset built after it. These fixtures fail on any such change; update them (and say so in the
/// change log) only on purpose. The expected graphs were checked by hand from the knob values.
/// </summary>
public class GoldenSampleTests
{
    [Fact]
    public void Kws_seed_42_index_0()
    {
        SpaceSample s = SearchSpaces.Get("kws").Sample(42, 0);
        Assert.Equal("kws-s42-000000", s.ModelId);
        Assert.Equal(
            "activation=relu; blocks=1; channels=272,40; dtype=int8; first_kernel=10x4; first_stride=2x2; io=float; pooling=avg; strides=1",
            string.Join("; ", s.Knobs.Select(kv => kv.Key + "=" + kv.Value)));
        // 10×4/2 conv to 272 on 25×5, one stride-1 block 272 → 40, FC 40·12.
        Assert.Equal(25 * 5 * 272 * 40 + 25 * 5 * 272 * 9 + 25 * 5 * 272 * 40 + 40 * 12, s.Graph.TotalMacs);
        Assert.Equal(
            [BuiltinOperator.QUANTIZE, BuiltinOperator.CONV_2D, BuiltinOperator.DEPTHWISE_CONV_2D, BuiltinOperator.CONV_2D,
             BuiltinOperator.AVERAGE_POOL_2D, BuiltinOperator.RESHAPE, BuiltinOperator.FULLY_CONNECTED,
             BuiltinOperator.SOFTMAX, BuiltinOperator.DEQUANTIZE],
            s.Graph.Nodes.Select(n => n.Builtin));
    }

    [Fact]
    public void Ops_seed_42_index_9()
    {
        SpaceSample s = SearchSpaces.Get("ops").Sample(42, 9);
        Assert.Equal(
            "dtype=int8; input_shape=1,1,61,9; io=native; layers=quantize requantise; relu; sub input relu6; " +
            "conv_2d 1x3/1x2 valid f10 relu6; op_count=4; ops=quantize,relu,sub,conv_2d; shape=audio",
            string.Join("; ", s.Knobs.Select(kv => kv.Key + "=" + kv.Value)));
        // VALID 1×3 stride 1×2 on 1×61: (61 − 3) / 2 + 1 = 30 columns, 10 filters over 3·9 taps.
        Assert.Equal(30 * 10 * 3 * 9, s.Graph.TotalMacs);
        Assert.Equal(
            [BuiltinOperator.QUANTIZE, BuiltinOperator.RELU, BuiltinOperator.SUB, BuiltinOperator.CONV_2D],
            s.Graph.Nodes.Select(n => n.Builtin));
        Assert.Equal(2, s.Graph.Inputs.Length);
    }

    [Fact]
    public void Nb201_seed_42_index_0()
    {
        SpaceSample s = SearchSpaces.Get("nb201").Sample(42, 0);
        // Genotype 990 = base-5 digits 0,1,2,4,3,0.
        Assert.Equal("990", s.Knobs["arch_index"]);
        Assert.Equal("|none~0|+|skip_connect~0|nor_conv_1x1~1|+|avg_pool_3x3~0|nor_conv_3x3~1|none~2|", s.Knobs["arch"]);
        // Node 1 is zero, node 2 reaches nothing (removed); node 3 = pool(n0) + conv3x3(zero) = pool + a
        // per-channel constant (ADD): 2 ops per cell, no MACs inside the cells.
        Assert.Equal(20 + 15 * 2, s.Graph.Nodes.Length);
        Assert.Equal(7_783_040, s.Graph.TotalMacs);
    }
}
