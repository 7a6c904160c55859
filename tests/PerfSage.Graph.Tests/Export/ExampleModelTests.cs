using PerfSage.Tests.Common;
using PerfSage.Tflite;
using Xunit;

namespace PerfSage.Graph.Tests.Export;

/// <summary>The bundled example <c>models/examples/kws_dscnn_int8.tflite</c>: reproducible from our own code,
/// with the arithmetic of the DS-CNN architecture, which is that of the MLPerf Tiny reference model.</summary>
public sealed class ExampleModelTests
{
    private static string ExamplePath =>
        Path.Combine(SharedData.RepoRoot, "models", "examples", ExampleModels.KwsDsCnnInt8FileName);

    [Fact]
    public void Committed_example_is_byte_for_byte_what_the_code_writes()
    {
        Assert.True(File.Exists(ExamplePath), $"{ExamplePath} is missing: run scripts/make-examples");
        byte[] committed = File.ReadAllBytes(ExamplePath);
        byte[] regenerated = ExampleModels.WriteKwsDsCnnInt8();

        Assert.True(committed.AsSpan().SequenceEqual(regenerated),
            $"{ExamplePath} ({committed.Length} bytes) differs from what ExampleModels writes ({regenerated.Length} bytes): run scripts/make-examples");
    }

    [Fact]
    public void Inspecting_the_example_sees_the_hand_computed_macs_and_parameters()
    {
        // What `perfsage inspect` does: read the file, build the graph.
        OpGraph g = OpGraph.FromModel(TfliteReader.ReadFile(ExamplePath));

        // Conv 10×4, stride 2, SAME on 49×10×1 → 25×5×64 (ceil(49/2) = 25, ceil(10/2) = 5).
        const long convMacs = 25 * 5 * 64 * (10 * 4 * 1);      //   320,000
        const long depthwiseMacs = 25 * 5 * 64 * (3 * 3);       //    72,000 per block
        const long pointwiseMacs = 25 * 5 * 64 * 64;            //   512,000 per block
        const long fcMacs = 64 * 12;                            //       768
        const long expectedMacs = convMacs + 4 * (depthwiseMacs + pointwiseMacs) + fcMacs;
        Assert.Equal(2_656_768, expectedMacs);
        Assert.Equal(expectedMacs, g.TotalMacs);

        // Weights and biases: conv 64·10·4·1 + 64; per block 3·3·64 + 64 and 64·64 + 64; FC 12·64 + 12.
        const long expectedParameters = (64 * 10 * 4 + 64) + 4 * ((3 * 3 * 64 + 64) + (64 * 64 + 64)) + (12 * 64 + 12);
        Assert.Equal(22_604, expectedParameters);
        Assert.Equal(expectedParameters, g.TotalParameters);

        Assert.Equal([1, 49, 10, 1], g.Tensors[g.Inputs[0]].Shape.ToArray());
        Assert.Equal(TensorType.Int8, g.Tensors[g.Inputs[0]].Type);
        Assert.Equal([1, 12], g.Tensors[g.Outputs[0]].Shape.ToArray());
        Assert.Equal(5, g.CountOf(BuiltinOperator.CONV_2D));
        Assert.Equal(4, g.CountOf(BuiltinOperator.DEPTHWISE_CONV_2D));
        Assert.Equal(13, g.Nodes.Length);
    }

    [SkippableFact]
    public void Example_has_the_architecture_of_the_MLPerf_Tiny_reference_model()
    {
        string reference = SharedData.Require("models/mlperf_tiny/kws_ref_model.tflite");
        OpGraph mlperf = OpGraph.FromModel(TfliteReader.ReadFile(reference));
        OpGraph ours = OpGraph.FromModel(TfliteReader.ReadFile(ExamplePath));

        Assert.Equal(mlperf.Nodes.Select(n => n.TypeName), ours.Nodes.Select(n => n.TypeName));
        for (int i = 0; i < mlperf.Nodes.Length; i++)
        {
            OpNode m = mlperf.Nodes[i], o = ours.Nodes[i];
            Assert.Equal(m.OutputShape.ToArray(), o.OutputShape.ToArray());
            Assert.Equal(m.DType, o.DType);
            Assert.Equal(m.Attributes.FusedActivation, o.Attributes.FusedActivation);
            Assert.Equal(m.Attributes.StrideH, o.Attributes.StrideH);
            Assert.Equal(m.Attributes.KernelW, o.Attributes.KernelW);
            Assert.Equal(m.Attributes.Padding, o.Attributes.Padding);
            Assert.Equal(m.WeightTensor < 0, o.WeightTensor < 0);
            if (m.WeightTensor >= 0)
            {
                Assert.Equal(mlperf.Tensors[m.WeightTensor].Shape.ToArray(), ours.Tensors[o.WeightTensor].Shape.ToArray());
                Assert.Equal(mlperf.Tensors[m.WeightTensor].Quantization!.ScaleCount, ours.Tensors[o.WeightTensor].Quantization!.ScaleCount);
            }
        }
        Assert.Equal(mlperf.TotalMacs, ours.TotalMacs);
        Assert.Equal(mlperf.TotalParameters, ours.TotalParameters);
    }

    [Fact]
    public void Readme_first_command_names_the_bundled_example()
    {
        string readme = File.ReadAllText(Path.Combine(SharedData.RepoRoot, "README.md"));
        string first = readme.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith("./perfsage ", StringComparison.Ordinal));
        Assert.Equal("./perfsage predict models/examples/kws_dscnn_int8.tflite --target ethos-u55-128", first);
    }
}
