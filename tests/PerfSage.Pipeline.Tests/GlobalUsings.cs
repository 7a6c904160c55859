global using Xunit;
global using PerfSage.Tests.Common;
