using PerfSage.Graph;
using PerfSage.Tflite;

namespace PerfSage.OpCountBench;

/// <summary>
/// A valid int8 <c>.tflite</c> chain of any number of operators, written with PerfSage's own writer
/// (<see cref="GraphExporter"/>), for measuring how cost grows with the operator count. The operators repeat a
/// block of five on a [1, 8, 8, 8] feature map: CONV_2D 1×1 (ReLU), DEPTHWISE_CONV_2D 3×3, HARD_SWISH, ADD of
/// the block's input (a residual, so some tensors live across several operators) and GELU, which neither
/// Vela's NPU list nor the TFLite GPU delegate has: one operator in five falls back to the CPU on the Ethos-U
/// and GPU targets and is listed as unsupported there. The chain stops after exactly the asked number of
/// operators (a one-operator chain is a single CONV_2D).
/// </summary>
public static class ChainModel
{
    /// <summary>Operators per repeated block.</summary>
    public const int BlockOperators = 5;

    /// <summary>Operators per block that run on the CPU on Ethos-U and GPU targets (GELU).</summary>
    public const int FallbackOperatorsPerBlock = 1;

    /// <summary>The seed of the weights.</summary>
    public const int Seed = 11;

    /// <summary>The graph of a chain of <paramref name="operators"/> operators.</summary>
    public static OpGraph Graph(int operators)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(operators, 1);
        var b = new OpGraphBuilder($"chain_{operators}");
        int x = b.AddInput([1, 8, 8, 8], TensorType.Int8, QuantizationSummary.PerTensor(OpGraphBuilder.DefaultScale, 0), "input");
        int blockInput = x;
        for (int i = 0; i < operators; i++)
        {
            switch (i % BlockOperators)
            {
                case 0:
                    blockInput = x;
                    x = b.Conv2D(x, filters: 8, kernelH: 1, kernelW: 1, activation: ActivationFunctionType.Relu);
                    break;
                case 1:
                    x = b.DepthwiseConv2D(x, 3, 3);
                    break;
                case 2:
                    x = b.HardSwish(x);
                    break;
                case 3:
                    x = b.Add(x, blockInput);
                    break;
                default:
                    x = b.AddOperator(BuiltinOperator.GELU, [x], new GeluOptions(false), outputShape: [1, 8, 8, 8]);
                    break;
            }
        }
        b.MarkOutput(x);
        return b.Build();
    }

    /// <summary>The <c>.tflite</c> bytes of <see cref="Graph"/>.</summary>
    public static byte[] Write(int operators) => GraphExporter.Write(Graph(operators), Seed);
}
