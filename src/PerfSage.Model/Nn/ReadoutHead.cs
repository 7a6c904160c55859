using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PerfSage.Model.Nn;

/// <summary>
/// The weights of one target × metric head over the shared trunk (what <see cref="Readout"/> computes with): a small
/// MLP gives every node two log terms, aᵢ (its contribution to the sum) and cᵢ (its candidate for the maximum), and a
/// linear layer scores the graph embedding (the log graph term b). <see cref="PerfSageNet"/> combines them. The
/// module layout (<c>node.0</c>, <c>node.2</c>, <c>graph</c>) is the weights format; the computation is
/// <see cref="Readout"/>'s, not the <c>Sequential</c>'s.
/// </summary>
internal sealed class ReadoutHead : Module<Tensor, Tensor>
{
    private readonly Sequential node;
    private readonly Linear graph;

    public ReadoutHead(int hiddenSize, int headHiddenSize, int graphHiddenSize) : base(nameof(ReadoutHead))
    {
        node = nn.Sequential(
            ("0", nn.Linear(hiddenSize, headHiddenSize)),
            ("1", nn.ReLU()),
            ("2", nn.Linear(headHiddenSize, 2)));
        graph = nn.Linear(graphHiddenSize, 1);
        RegisterComponents();
        // Zero output layers: every term starts at exp(0) = 1, so an untrained head predicts in proportion to
        // the op count around its offset, and learning starts from a sum that already extrapolates.
        using (torch.no_grad())
        {
            var last = (Linear)node[2];
            last.weight!.zero_();
            last.bias!.zero_();
            graph.weight!.zero_();
            graph.bias!.zero_();
        }
    }

    /// <summary>The head's parameters by name (read each time: moving the module to a device replaces them).</summary>
    public HeadWeights<Tensor> Weights
    {
        get
        {
            var hidden = (Linear)node[0];
            var terms = (Linear)node[2];
            return new HeadWeights<Tensor>(hidden.weight!, hidden.bias!, terms.weight!, terms.bias!, graph.weight!, graph.bias!);
        }
    }

    /// <summary>Node log terms [N, 2] (column 0: aᵢ for the sum, column 1: cᵢ for the maximum) from node embeddings [N, hidden].</summary>
    public override Tensor forward(Tensor nodeEmbeddings)
    {
        HeadWeights<Tensor> w = Weights;
        return Readout.NodeTerms(Readout.Hidden(nodeEmbeddings, w), w);
    }

    /// <summary>Graph log terms [G] from graph embeddings [G, graphHidden].</summary>
    public Tensor GraphTerm(Tensor graphEmbeddings) => Readout.GraphTerm(graphEmbeddings, Weights);
}
