using PerfSage.Dataset.Spaces;
using Xunit;

namespace PerfSage.Dataset.Tests;

public class KnobTests
{
    [Fact]
    public void Numeric_knob_checks_range_and_step()
    {
        Knob k = Knob.Numeric("channels", 16, 276, "widths", step: 4);
        Assert.True(k.Admits("16"));
        Assert.True(k.Admits("276"));
        Assert.True(k.Admits("64"));
        Assert.False(k.Admits("12"));
        Assert.False(k.Admits("280"));
        Assert.False(k.Admits("66"));
        Assert.False(k.Admits("64,64"));
        Assert.False(k.Admits(""));
        Assert.False(k.Admits("sixty"));
        Assert.Equal("16–276 (step 4)", k.Range);
    }

    [Fact]
    public void List_knob_checks_every_element()
    {
        Knob k = Knob.Numeric("strides", 1, 2, "per block", isList: true);
        Assert.True(k.Admits("1"));
        Assert.True(k.Admits("1,2,1"));
        Assert.False(k.Admits("1,3"));
        Assert.False(k.Admits("1,,2"));
        Assert.Equal("each 1–2", k.Range);
    }

    [Fact]
    public void Choice_knob_is_exact_and_case_sensitive()
    {
        Knob k = Knob.Choice("activation", ["relu", "relu6"], "fused activation");
        Assert.True(k.Admits("relu6"));
        Assert.False(k.Admits("RELU"));
        Assert.False(k.Admits("relu,relu6"));
        Assert.Equal("{relu, relu6}", k.Range);
    }
}
