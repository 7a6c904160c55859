namespace PerfSage.Model.Nn;

/// <summary>A head of the network: its key and its ln-space offset. Free of TorchSharp types: the managed engine uses it too.</summary>
internal sealed record HeadSpec(HeadKey Key, double LogOffset)
{
    /// <summary>The head a manifest entry describes.</summary>
    /// <exception cref="ModelFormatException">An unknown metric, or a key that is not <c>target/metric</c>.</exception>
    public static HeadSpec FromManifest(HeadManifest head)
    {
        ArgumentNullException.ThrowIfNull(head);
        HeadKey key;
        try
        {
            key = new HeadKey(head.Target, MetricNames.Parse(head.Metric));
        }
        catch (ArgumentException e)
        {
            throw new ModelFormatException($"head {head.Key}: {e.Message}", e);
        }
        if (key.Key != head.Key)
        {
            throw new ModelFormatException($"head {head.Key}: key does not match target '{head.Target}' and metric '{head.Metric}'");
        }
        return new HeadSpec(key, head.LogOffset);
    }
}
