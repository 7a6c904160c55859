using PerfSage.Tflite;
using Xunit;

namespace PerfSage.Graph.Tests;

/// <summary><see cref="OpGraphBuilder.UnidirectionalSequenceLstm"/>: shapes, element types and costs worked
/// out by hand, checked against <c>perfsage inspect ../shared/models/tflm/trained_lstm_int8.tflite</c>
/// (LSTM [1,28,28] → [1,28,20]: 107,520 MACs, 3,840 weight bytes, 320 bias bytes, 844 bytes read).</summary>
public class LstmBuilderTests
{
    [Fact]
    public void Int8_lstm_has_the_converter_layout_and_trained_lstm_costs()
    {
        var b = new OpGraphBuilder();
        int x = b.AddInput([1, 28, 28], TensorType.Int8);
        int y = b.UnidirectionalSequenceLstm(x, 20);
        OpGraph g = b.Build();
        OpNode n = Assert.Single(g.Nodes);
        Assert.Equal(BuiltinOperator.UNIDIRECTIONAL_SEQUENCE_LSTM, n.Builtin);
        Assert.Equal([1, 28, 20], g.Tensors[y].Shape.ToArray());
        Assert.Equal(TensorType.Int8, g.Tensors[y].Type);
        Assert.Equal(24, n.Inputs.Length);
        // Peepholes (9-11), projection (16-17) and layer norm (20-23) omitted.
        Assert.All(new[] { 9, 10, 11, 16, 17, 20, 21, 22, 23 }, i => Assert.Equal(-1, n.Inputs[i]));
        for (int k = 1; k <= 4; k++)
        {
            Assert.Equal([20, 28], g.Tensors[n.Inputs[k]].Shape.ToArray());
            Assert.Equal([20, 20], g.Tensors[n.Inputs[k + 4]].Shape.ToArray());
            Assert.Equal(TensorType.Int8, g.Tensors[n.Inputs[k]].Type);
            Assert.Equal([20], g.Tensors[n.Inputs[k + 11]].Shape.ToArray());
            Assert.Equal(TensorType.Int32, g.Tensors[n.Inputs[k + 11]].Type);
        }
        GraphTensor outputState = g.Tensors[n.Inputs[18]], cellState = g.Tensors[n.Inputs[19]];
        Assert.Equal([1, 20], outputState.Shape.ToArray());
        Assert.True(outputState.IsVariable && cellState.IsVariable);
        Assert.Equal(TensorType.Int8, outputState.Type);
        Assert.Equal(TensorType.Int16, cellState.Type);
        // 28 steps × 4 gates × 20 units × (28 inputs + 20 recurrent) = 107,520.
        Assert.Equal(107_520, n.Cost.Macs);
        // 4·20·28 + 4·20·20 = 3,840 int8 weights; 4·20 int32 biases = 320 bytes.
        Assert.Equal(3_840, n.Cost.WeightBytes);
        Assert.Equal(320, n.Cost.BiasBytes);
        // Input 784 int8 + output state 20 int8 + cell state 20 int16.
        Assert.Equal(784 + 20 + 40, n.Cost.ActivationBytesRead);
    }

    [Fact]
    public void Float_and_int16_lstms_get_their_state_and_bias_types_and_time_major_shapes()
    {
        var b = new OpGraphBuilder();
        int f = b.AddInput([5, 2, 3], TensorType.Float32);
        int yf = b.UnidirectionalSequenceLstm(f, 4, timeMajor: true);
        int q = b.AddInput([1, 5, 3], TensorType.Int16);
        int yq = b.UnidirectionalSequenceLstm(q, 4);
        OpGraph g = b.Build();
        // Time-major [T=5, B=2, F=3] → [5, 2, 4]; states [B=2, 4].
        Assert.Equal([5, 2, 4], g.Tensors[yf].Shape.ToArray());
        Assert.Equal([2, 4], g.Tensors[g.Nodes[0].Inputs[19]].Shape.ToArray());
        Assert.Equal(TensorType.Float32, g.Tensors[g.Nodes[0].Inputs[19]].Type);
        // 5 steps × batch 2 × 4·4·(3 + 4) = 1,120 MACs; float32 weights 4·(4·3 + 4·4)·4 B = 448 B.
        Assert.Equal(1_120, g.Nodes[0].Cost.Macs);
        Assert.Equal(448, g.Nodes[0].Cost.WeightBytes);
        Assert.Equal(TensorType.Int64, g.Tensors[g.Nodes[1].Inputs[12]].Type);
        Assert.Equal(TensorType.Int16, g.Tensors[g.Nodes[1].Inputs[18]].Type);
        Assert.Equal(TensorType.Int16, g.Tensors[g.Nodes[1].Inputs[19]].Type);
        Assert.Equal([1, 5, 4], g.Tensors[yq].Shape.ToArray());
        Assert.Throws<OpGraphException>(() => b.UnidirectionalSequenceLstm(b.AddInput([1, 4], TensorType.Float32), 4));
    }
}
