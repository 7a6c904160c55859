using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PerfSage.Model.Nn;

/// <summary>
/// GraphSAGE convolution with the mean aggregator (Hamilton et al. 2017) and edge features in the message:
/// <code>x'ᵢ = W₁·xᵢ + W₂·mean_{j∈N(i)} (xⱼ + Wₑ·eⱼᵢ) + b</code>
/// where N(i) are the sources of the edges into i. Edges come in both directions (the featurizer stores
/// each producer → consumer edge and its reverse), so a node hears its producers and its consumers; the
/// <c>forward</c> edge column tells them apart. A node without incoming edges aggregates 0.
/// <para>Shapes: x [N, in], source and target [E] (int64), inverse in-degree [N, 1], edge features [E, Fe]
/// → [N, out]. W₁ (<c>lin_self</c>, with the bias b), W₂ (<c>lin_neighbour</c>), Wₑ (<c>lin_edge</c>).</para>
/// </summary>
internal sealed class SageConv : Module<Tensor, Tensor, Tensor, Tensor, Tensor, Tensor>
{
    private readonly Linear lin_self;
    private readonly Linear lin_neighbour;
    private readonly Linear lin_edge;

    public SageConv(int inChannels, int outChannels, int edgeChannels) : base(nameof(SageConv))
    {
        lin_self = nn.Linear(inChannels, outChannels, hasBias: true);
        lin_neighbour = nn.Linear(inChannels, outChannels, hasBias: false);
        lin_edge = nn.Linear(edgeChannels, inChannels, hasBias: false);
        RegisterComponents();
    }

    internal Linear Self => lin_self;

    internal Linear Neighbour => lin_neighbour;

    internal Linear Edge => lin_edge;

    public override Tensor forward(Tensor x, Tensor source, Tensor target, Tensor inverseInDegree, Tensor edgeFeatures)
    {
        using var scope = NewDisposeScope();
        Tensor messages = x.index_select(0, source).add(lin_edge.forward(edgeFeatures), Scalars.One);   // [E, in]
        Tensor mean = zeros_like(x).index_add_(0, target, messages, Scalars.One).mul(inverseInDegree);     // [N, in]
        return lin_self.forward(x).add(lin_neighbour.forward(mean), Scalars.One).MoveToOuterDisposeScope(); // [N, out]
    }
}
