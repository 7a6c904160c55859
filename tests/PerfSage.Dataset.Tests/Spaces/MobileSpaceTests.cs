using PerfSage.Dataset.Spaces;
using PerfSage.Graph;
using PerfSage.Tflite;
using Xunit;

namespace PerfSage.Dataset.Tests;

public class MobileSpaceTests
{
    private static readonly ISearchSpace Mobile = SearchSpaces.Get("mobile");

    private static IEnumerable<SpaceSample> Samples(int n) => Enumerable.Range(0, n).Select(i => Mobile.Sample(81, i));

    [Fact]
    public void All_dtype_variants_and_styles_occur()
    {
        var kinds = Samples(120).Select(s => s.Family + "/" + s.Variant).ToHashSet();
        foreach (string family in new[] { "mobile-v2", "mobile-v3" })
        {
            foreach (string variant in new[] { "float32", "float16", "int8" })
            {
                Assert.Contains(family + "/" + variant, kinds);
            }
        }
    }

    [Fact]
    public void Float16_graphs_expand_every_weight_with_a_leading_dequantize()
    {
        List<SpaceSample> float16 = [.. Samples(60).Where(s => s.Variant == "float16").Take(8)];
        Assert.NotEmpty(float16);
        foreach (SpaceSample s in float16)
        {
            OpGraph g = s.Graph;
            int dequantize = g.CountOf(BuiltinOperator.DEQUANTIZE);
            // DEQUANTIZE ops form the head of the operator list and read float16 constants.
            Assert.All(g.Nodes.Take(dequantize), n =>
            {
                Assert.Equal(BuiltinOperator.DEQUANTIZE, n.Builtin);
                GraphTensor c = g.Tensors[n.Inputs[0]];
                Assert.True(c.IsConstant);
                Assert.Equal(TensorType.Float16, c.Type);
            });
            Assert.All(g.Nodes.Skip(dequantize), n => Assert.NotEqual(BuiltinOperator.DEQUANTIZE, n.Builtin));
            // Every weight layer reads weights and bias from DEQUANTIZE outputs; nothing else reads float16.
            var layers = g.Nodes.Where(n => n.Builtin is BuiltinOperator.CONV_2D or BuiltinOperator.DEPTHWISE_CONV_2D
                or BuiltinOperator.FULLY_CONNECTED).ToList();
            foreach (OpNode layer in layers)
            {
                Assert.Equal(TensorType.Float32, layer.DType);
                Assert.Equal(BuiltinOperator.DEQUANTIZE, g.Nodes[g.Tensors[layer.Inputs[1]].Producer].Builtin);
                Assert.Equal(BuiltinOperator.DEQUANTIZE, g.Nodes[g.Tensors[layer.Inputs[2]].Producer].Builtin);
            }
            Assert.Equal(2 * layers.Count, dequantize);
            Assert.DoesNotContain(g.Tensors, t => t.IsConstant && t.Type == TensorType.Float32 && t.ElementCount > 1);
            // Two bytes per float16 parameter; the hard-sigmoid scalars (3 and 1/6) stay float32.
            int scalars = ScalarConstants(g);
            Assert.Equal(2 * (g.TotalParameters - scalars) + 4 * scalars, g.TotalWeightBytes + g.TotalBiasBytes);
        }
    }

    [Fact]
    public void Styles_follow_their_skeletons()
    {
        foreach (SpaceSample s in Samples(40))
        {
            OpGraph g = s.Graph;
            int[] blocks = s.Ints("blocks");
            int[] se = s.Ints("se");
            int r = s.Int("resolution");
            bool v3 = s.Knobs["style"] == "v3";
            Assert.Equal(v3 ? 6 : 7, blocks.Length);
            Assert.Equal(blocks.Sum(), g.CountOf(BuiltinOperator.DEPTHWISE_CONV_2D));
            int seBlocks = blocks.Zip(se, (b, e) => b * e).Sum();
            // MEAN: one per SE block, plus v3's head pooling or v2's MEAN pooling.
            int headMeans = v3 || s.Knobs["pooling"] == "mean" ? 1 : 0;
            Assert.Equal(seBlocks + headMeans, g.CountOf(BuiltinOperator.MEAN));
            Assert.Equal(0, g.CountOf(BuiltinOperator.RELU)); // ReLU and ReLU6 are always fused
            if (!v3)
            {
                Assert.Equal(0, g.CountOf(BuiltinOperator.HARD_SWISH));
            }
            else
            {
                Assert.True(g.CountOf(BuiltinOperator.HARD_SWISH) >= 3); // stem and the two head convolutions
            }
            Assert.Equal([1, r, r, 3], g.Tensors[g.Inputs[0]].Shape.ToArray());
            Assert.Equal([1, 1000], g.Tensors[g.Outputs[0]].Shape.ToArray());
            // Stride 2 in the stem and in 4 stages: 224 → 7, 128 → 4.
            OpNode lastDw = g.Nodes.Last(n => n.Builtin == BuiltinOperator.DEPTHWISE_CONV_2D);
            Assert.Equal(KnobReader.Same(r, 32), lastDw.OutputShape[1]);
        }
    }

    private static int ScalarConstants(OpGraph g) =>
        g.Tensors.Count(t => t.IsConstant && t.Type == TensorType.Float32 && t.ElementCount == 1);
}
