using PerfSage.Model.Nn;
using Xunit;
using static TorchSharp.torch;

namespace PerfSage.Model.Tests;

[Collection(TorchStateGroup.Name)]
public sealed class SageConvTests
{
    [Fact]
    public void Four_node_graph_matches_the_formula_worked_by_hand()
    {
        TorchRuntime.EnsureLoaded(1, 0);
        using var scope = NewDisposeScope();
        using var conv = new SageConv(inChannels: 2, outChannels: 1, edgeChannels: 1);
        using (no_grad())
        {
            conv.Self.weight!.copy_(tensor(new float[,] { { 1, 2 } }));      // W₁
            conv.Self.bias!.copy_(tensor(new float[] { 0.5f }));              // b
            conv.Neighbour.weight!.copy_(tensor(new float[,] { { 1, -1 } })); // W₂
            conv.Edge.weight!.copy_(tensor(new float[,] { { 1 }, { 0 } }));   // Wₑ: the edge value is added to channel 0
        }
        Tensor x = tensor(new float[,] { { 1, 0 }, { 0, 1 }, { 2, 2 }, { -1, 3 } });
        // Edges 0→1 (e=1), 0→2 (e=2), 1→2 (e=0), 2→3 (e=−1).
        Tensor src = tensor(new long[] { 0, 0, 1, 2 });
        Tensor dst = tensor(new long[] { 1, 2, 2, 3 });
        Tensor e = tensor(new float[,] { { 1 }, { 2 }, { 0 }, { -1 } });
        Tensor invDeg = tensor(new float[,] { { 1 }, { 1 }, { 0.5f }, { 1 } }); // in-degrees 0, 1, 2, 1

        float[] y = conv.forward(x, src, dst, invDeg, e).data<float>().ToArray();

        // Messages xⱼ + Wₑe: 0→1 (2,0); 0→2 (3,0); 1→2 (0,1); 2→3 (1,2).
        // Means: node 0 none → (0,0); node 1 (2,0); node 2 ((3,0)+(0,1))/2 = (1.5,0.5); node 3 (1,2).
        // x'ᵢ = W₁xᵢ + b + W₂·meanᵢ:
        float y0 = (1 * 1) + (2 * 0) + 0.5f + 0;                  // 1.5
        float y1 = (1 * 0) + (2 * 1) + 0.5f + (2 - 0);            // 4.5
        float y2 = (1 * 2) + (2 * 2) + 0.5f + (1.5f - 0.5f);      // 7.5
        float y3 = (1 * -1) + (2 * 3) + 0.5f + (1 - 2);           // 4.5
        Assert.Equal(new[] { y0, y1, y2, y3 }, y);
    }

    [Fact]
    public void Gradients_flow_to_all_three_weight_matrices()
    {
        TorchRuntime.EnsureLoaded(1, 0);
        using var scope = NewDisposeScope();
        using var conv = new SageConv(2, 3, 1);
        Tensor x = tensor(new float[,] { { 1, 0 }, { 0, 1 } });
        Tensor y = conv.forward(x, tensor(new long[] { 0 }), tensor(new long[] { 1 }), tensor(new float[,] { { 1 }, { 1 } }), tensor(new float[,] { { 2 } }));
        y.sum().backward();
        Assert.Equal(new long[] { 2, 3 }, y.shape);
        // d(Σy)/dW₁ = Σ over nodes of xᵢ for each output row: (1, 1).
        Assert.Equal(new float[] { 1, 1, 1, 1, 1, 1 }, conv.Self.weight!.grad!.data<float>().ToArray());
        // Only node 1 has a neighbour: mean₁ = x₀ + Wₑ·2 and mean₀ = 0, so d(Σy)/dW₂[r,c] = mean₁[c] for every row r.
        float[] we = conv.Edge.weight!.data<float>().ToArray();         // [2, 1]
        float[] mean1 = [1 + (we[0] * 2), 0 + (we[1] * 2)];
        float[] gradW2 = conv.Neighbour.weight!.grad!.data<float>().ToArray();
        for (int r = 0; r < 3; r++)
        {
            Assert.Equal(mean1[0], gradW2[(r * 2) + 0], 5);
            Assert.Equal(mean1[1], gradW2[(r * 2) + 1], 5);
        }
        // d(Σy)/dWₑ[c,0] = Σᵣ W₂[r,c] · e = 2 · Σᵣ W₂[r,c].
        float[] w2 = conv.Neighbour.weight!.data<float>().ToArray();
        float[] gradWe = conv.Edge.weight!.grad!.data<float>().ToArray();
        Assert.Equal(2 * (w2[0] + w2[2] + w2[4]), gradWe[0], 5);
        Assert.Equal(2 * (w2[1] + w2[3] + w2[5]), gradWe[1], 5);
    }
}
