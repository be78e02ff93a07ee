<%@ Page Language="C#" %>
<html><body>Service unavailable</body></html>
